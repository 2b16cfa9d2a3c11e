// MD5Password: PostgreSQL's md5 password scheme (pg_hba `md5`).
//
//   stored verifier:  "md5" + hex(md5(password + user))                      (pg_authid.rolpassword)
//   challenge:        AuthenticationMD5Password with a random 4-byte salt
//   client answer:    "md5" + hex(md5( hex(md5(password + user)) + salt ))   (PasswordMessage)
//
// The server never sees the password: it redoes the outer hash from the stored verifier.

import Crypto

public enum MD5Password {
    public static let prefix = "md5"
    /// Bytes in the salt of AuthenticationMD5Password.
    public static let saltByteCount = 4

    /// The verifier PostgreSQL stores: "md5" + md5(password + user) in lowercase hex.
    public static func makeStoredHash(password: String, user: String) -> String {
        prefix + hexMD5(Array(password.utf8) + Array(user.utf8))
    }

    /// What a client sends for `storedHash` ("md5…" verifier) and `salt`.
    static func expectedResponse(storedHash: String, salt: [UInt8]) -> String {
        let inner = storedHash.dropFirst(prefix.count)
        return prefix + hexMD5(Array(inner.utf8) + salt)
    }

    /// True when `response` (the PasswordMessage text) proves knowledge of the password.
    static func verify(response: String, storedHash: String?, salt: [UInt8]) -> Bool {
        guard let storedHash, storedHash.hasPrefix(prefix), storedHash.utf8.count == prefix.count + 32 else {
            return false
        }
        return constantTimeEqual(Array(response.utf8), Array(expectedResponse(storedHash: storedHash, salt: salt).utf8))
    }

    static func hexMD5(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}

/// Compares without an early exit, so timing does not tell how many leading bytes matched.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
