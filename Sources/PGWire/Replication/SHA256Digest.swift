// SHA256Digest: SHA-256 in lower-case hex, for the backup manifest's Manifest-Checksum (the
// Replication module has no crypto of its own; PGWire already links swift-crypto for SCRAM).

import Crypto

public enum SHA256Digest {
    public static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
