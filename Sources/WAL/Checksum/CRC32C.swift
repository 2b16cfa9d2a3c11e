// CRC32C: the CRC-32C (Castagnoli) checksum that protects every WAL record, as in PostgreSQL.
//
// Two implementations compute the same function: the SSE4.2 `crc32` instruction (C, in CCRC32C,
// three interleaved streams for long buffers) and a portable table-driven slicing-by-8 in Swift.
// `checksum` picks the hardware one when the CPU has it, decided once at start-up.
// Check value: checksum("123456789") == 0xE3069283.
//
// `continuing:` chains calls: checksum(B, continuing: checksum(A)) == checksum(A || B).

import CCRC32C

public enum CRC32C {
    /// Whether this CPU has the SSE4.2 crc32 instruction (asked once, via CPUID).
    public static let hardwareAvailable: Bool = crc32c_hw_available() != 0

    /// Below this many bytes the single-stream loop is used: the three-stream merge costs more.
    private static let threeWayThresholdBytes = 768

    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if hardwareAvailable {
            return hardwareChecksum(bytes, continuing: crc)
        }
        return softwareChecksum(bytes, continuing: crc)
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The SSE4.2 implementation. Only call it when `hardwareAvailable` is true.
    public static func hardwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        let state = bytes.count >= threeWayThresholdBytes
            ? crc32c_hw_update_3way(~crc, base, bytes.count)
            : crc32c_hw_update(~crc, base, bytes.count)
        return ~state
    }

    /// The portable implementation (slicing-by-8), used when the CPU lacks SSE4.2.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        ~CRC32CSoftware.update(~crc, bytes)
    }
}
