// SCRAMClientExchange: the client side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), as libpq
// runs it. A value type with no I/O: the connection sends what it returns and feeds it the server's
// answers. The mirror of SCRAMServerExchange; the key derivation is SCRAMKeys (SCRAM.swift).
//
//   client-first   "n,,n=,r=<client nonce>"           (no channel binding, empty user as libpq sends)
//   server-first   "r=<client nonce><server nonce>,s=<salt b64>,i=<iterations>"
//   client-final   "c=biws,r=<full nonce>,p=<ClientProof b64>"        ("biws" = base64 of "n,,")
//   server-final   "v=<ServerSignature b64>"           checked: a server that does not know the
//                                                      password cannot produce it
//
//   ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage)
//   AuthMessage = client-first-bare + "," + server-first + "," + client-final-without-proof

import Crypto

struct SCRAMClientExchange {
    /// libpq's SCRAM_RAW_NONCE_LEN: random bytes behind the client nonce.
    static let clientNonceByteCount = 18
    /// Above this, a hostile server could make the client spin in PBKDF2 (the bound is ours).
    static let iterationsMaximum = 10_000_000
    private static let gs2Header = "n,,"

    private let password: String
    private let clientNonce: String
    private var expectedServerSignature: [UInt8]?

    /// `clientNonce` is injected by tests; printable ASCII without commas.
    init(password: String, clientNonce: String = base64Encode(randomBytes(clientNonceByteCount))) {
        self.password = password
        self.clientNonce = clientNonce
    }

    private var clientFirstBare: String { "n=,r=\(clientNonce)" }

    /// The SASLInitialResponse data.
    var clientFirstMessage: [UInt8] { Array((Self.gs2Header + clientFirstBare).utf8) }

    /// Answers the server-first-message with the client-final-message.
    mutating func receiveServerFirst(_ data: [UInt8]) throws(PGConnectionError) -> [UInt8] {
        let serverFirst = String(decoding: data, as: UTF8.self)
        var nonce: Substring?
        var salt: [UInt8]?
        var iterations: Int?
        for attribute in serverFirst.split(separator: ",") {
            switch attribute.prefix(2) {
            case "r=": nonce = attribute.dropFirst(2)
            case "s=": salt = base64Decode(attribute.dropFirst(2))
            case "i=": iterations = Int(attribute.dropFirst(2))
            default: continue
            }
        }
        guard let nonce, let salt, let iterations, iterations > 0, iterations <= Self.iterationsMaximum else {
            throw PGConnectionError("malformed SCRAM message (invalid server-first-message)")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw PGConnectionError("invalid SCRAM response (nonce mismatch)")
        }
        let keys = SCRAMKeys(password: password, salt: salt, iterations: iterations)
        let withoutProof = "c=\(base64Encode(Array(Self.gs2Header.utf8))),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = hmacSHA256(key: keys.storedKey, authMessage)
        let proof = zip(keys.clientKey, clientSignature).map { $0 ^ $1 }
        expectedServerSignature = hmacSHA256(key: keys.serverKey, authMessage)
        return Array("\(withoutProof),p=\(base64Encode(proof))".utf8)
    }

    /// Checks the server-final-message.
    func receiveServerFinal(_ data: [UInt8]) throws(PGConnectionError) {
        let text = String(decoding: data, as: UTF8.self)
        guard let expectedServerSignature, text.hasPrefix("v="),
              let signature = base64Decode(text.dropFirst(2).prefix(while: { $0 != "," }))
        else { throw PGConnectionError("malformed SCRAM message (invalid server-final-message)") }
        guard constantTimeEqual(signature, expectedServerSignature) else {
            throw PGConnectionError("incorrect server signature")
        }
    }
}
