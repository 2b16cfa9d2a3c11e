// SCRAM: the SCRAM-SHA-256 key derivations of RFC 5802 / RFC 7677, as PostgreSQL stores them.
//
// Stored verifier (pg_authid.rolpassword), exactly PostgreSQL's format:
//
//   SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
//
//   SaltedPassword = Hi(password, salt, iterations)       (PBKDF2-HMAC-SHA-256, 32 bytes:
//                    U1 = HMAC(password, salt + INT(1)), Ui = HMAC(password, Ui-1), Hi = U1 ^ … ^ Ui)
//   ClientKey      = HMAC(SaltedPassword, "Client Key")
//   StoredKey      = SHA-256(ClientKey)
//   ServerKey      = HMAC(SaltedPassword, "Server Key")
//
// The password is used as UTF-8 bytes; PostgreSQL first applies SASLprep, which leaves ASCII
// passwords unchanged (non-ASCII passwords needing normalisation are not normalised here).
// Hi is computed here from its definition (RFC 5802 §2.2) so that it cannot fail; a test checks it
// against swift-crypto's KDF.Insecure.PBKDF2.

import Crypto
import FoundationEssentials

public enum SCRAM {
    public static let mechanism = "SCRAM-SHA-256"
    /// PostgreSQL's default scram_iterations.
    public static let defaultIterations = 4096
    /// PostgreSQL's SCRAM_DEFAULT_SALT_LEN.
    public static let saltByteCount = 16

    /// A verifier for `password`; a random 16-byte salt when none is given.
    public static func makeVerifier(password: String, salt: [UInt8]? = nil,
                                    iterations: Int = defaultIterations) -> String {
        let salt = salt ?? randomBytes(saltByteCount)
        let keys = SCRAMKeys(password: password, salt: salt, iterations: iterations)
        return SCRAMVerifier(iterations: iterations, salt: salt, storedKey: keys.storedKey,
                             serverKey: keys.serverKey).text
    }
}

/// The keys derived from a password (the client side of the derivation; tests and makeVerifier).
struct SCRAMKeys {
    var saltedPassword: [UInt8]
    var clientKey: [UInt8]
    var storedKey: [UInt8]
    var serverKey: [UInt8]

    /// `iterations` below 1 counts as 1.
    init(password: String, salt: [UInt8], iterations: Int) {
        saltedPassword = Self.hi(password: Array(password.utf8), salt: salt, iterations: max(1, iterations))
        clientKey = hmacSHA256(key: saltedPassword, Array("Client Key".utf8))
        storedKey = Array(SHA256.hash(data: clientKey))
        serverKey = hmacSHA256(key: saltedPassword, Array("Server Key".utf8))
    }
}

extension SCRAMKeys {
    /// Hi(str, salt, i) of RFC 5802: PBKDF2 with HMAC-SHA-256 and one 32-byte output block.
    static func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<iterations {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }
}

/// A parsed "SCRAM-SHA-256$…" verifier.
struct SCRAMVerifier: Equatable {
    var iterations: Int
    var salt: [UInt8]
    var storedKey: [UInt8]
    var serverKey: [UInt8]

    init(iterations: Int, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// nil when `text` is not a well-formed SCRAM-SHA-256 verifier (e.g. an md5 one).
    init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == SCRAM.mechanism else { return nil }
        let head = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        let keys = parts[2].split(separator: ":", omittingEmptySubsequences: false)
        guard head.count == 2, keys.count == 2, let iterations = Int(head[0]), iterations > 0,
              let salt = base64Decode(head[1]), let storedKey = base64Decode(keys[0]),
              let serverKey = base64Decode(keys[1]),
              storedKey.count == SHA256.byteCount, serverKey.count == SHA256.byteCount
        else { return nil }
        self.init(iterations: iterations, salt: salt, storedKey: storedKey, serverKey: serverKey)
    }

    var text: String {
        "\(SCRAM.mechanism)$\(iterations):\(base64Encode(salt))$\(base64Encode(storedKey)):\(base64Encode(serverKey))"
    }
}

func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
}

func base64Encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

func base64Decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
    Data(base64Encoded: String(text)).map { Array($0) }
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
