// SCRAMServerExchange: the server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), as
// PostgreSQL runs it. A value type with no I/O: the connection feeds it the client's messages and
// sends what it returns.
//
//   client-first   gs2-header "n,," or "y,," (no channel binding; "p=" is refused), then
//                  client-first-bare "n=<ignored user>,r=<client nonce>"
//   server-first   "r=<client nonce><server nonce>,s=<salt b64>,i=<iterations>"
//   client-final   "c=<b64 gs2-header>,r=<full nonce>,p=<ClientProof b64>"
//   server-final   "v=<ServerSignature b64>"
//
//   AuthMessage     = client-first-bare + "," + server-first + "," + client-final-without-proof
//   ClientSignature = HMAC(StoredKey, AuthMessage);  ClientKey = ClientProof XOR ClientSignature
//   accepted iff SHA-256(ClientKey) == StoredKey;   ServerSignature = HMAC(ServerKey, AuthMessage)
//
// The user name comes from the StartupMessage (libpq sends "n=" empty). With no verifier (unknown
// role, no password) the exchange runs on a made-up salt and always fails: no role enumeration.
// The made-up salt is the same for every attempt on one user name (PostgreSQL's scram_mock_salt), so
// an unknown role looks just like a known one whose salt never changes.

import Crypto

struct SCRAMServerExchange {
    /// PostgreSQL's SCRAM_RAW_NONCE_LEN: random bytes in the server's part of the nonce.
    static let serverNonceByteCount = 18

    enum State {
        case awaitingClientFirst
        case awaitingClientFinal(clientFirstBare: String, serverFirst: String, gs2Header: String, nonce: String)
        case finished
    }

    let user: String
    let verifier: SCRAMVerifier?
    private let serverNonce: String
    private(set) var state: State = .awaitingClientFirst

    /// `verifier` nil: fail at the end. `serverNonce`/`mockSalt` are injected so tests are deterministic.
    private let mockSalt: [UInt8]

    /// A secret of this server process, from which the mock salts are derived.
    private static let mockSaltSecret = randomBytes(32)

    /// The salt shown for `user` when it has no verifier: stable per user name, unguessable.
    static func mockSalt(for user: String) -> [UInt8] {
        Array(hmacSHA256(key: mockSaltSecret, Array(user.utf8)).prefix(SCRAM.saltByteCount))
    }

    /// `serverNonce` is printable ASCII without commas (base64 of random bytes by default).
    init(user: String, verifierText: String?,
         serverNonce: String = base64Encode(randomBytes(serverNonceByteCount)),
         mockSalt: [UInt8]? = nil) {
        self.user = user
        self.verifier = verifierText.flatMap(SCRAMVerifier.init(parsing:))
        self.serverNonce = serverNonce
        self.mockSalt = mockSalt ?? Self.mockSalt(for: user)
    }

    static func malformed(_ detail: String) -> PGError {
        PGError(severity: .fatal, sqlState: "08P01", message: "malformed SCRAM message", detail: detail)
    }

    /// Handles SASLInitialResponse; returns the server-first-message.
    mutating func receiveClientFirst(mechanism: String, data: [UInt8]) throws(PGError) -> [UInt8] {
        guard case .awaitingClientFirst = state else { throw Self.malformed("Unexpected SCRAM message.") }
        guard mechanism == SCRAM.mechanism else {
            throw PGError.protocolViolation("client selected an invalid SASL authentication mechanism")
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Self.malformed("Comma expected, but found end of string.") }
        switch parts[0] {
        case "n", "y": break
        case let flag where flag.hasPrefix("p="):
            throw Self.malformed("The client selected SCRAM-SHA-256-PLUS, but channel binding is not supported.")
        default:
            throw Self.malformed("Unexpected channel-binding flag \"\(parts[0])\".")
        }
        guard parts[1].isEmpty else { throw Self.malformed("Authorization identities are not supported.") }
        let gs2Header = "\(parts[0]),\(parts[1]),"
        let clientFirstBare = String(parts[2])
        let attributes = clientFirstBare.split(separator: ",", omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].hasPrefix("n="), attributes[1].hasPrefix("r=") else {
            throw Self.malformed("Expected attributes \"n\" and \"r\".")
        }
        let clientNonce = attributes[1].dropFirst(2)
        guard !clientNonce.isEmpty, clientNonce.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ",") }) else {
            throw Self.malformed("The client nonce contains invalid characters.")
        }
        let nonce = String(clientNonce) + serverNonce
        let salt = verifier?.salt ?? mockSalt
        let iterations = verifier?.iterations ?? SCRAM.defaultIterations
        let serverFirst = "r=\(nonce),s=\(base64Encode(salt)),i=\(iterations)"
        state = .awaitingClientFinal(clientFirstBare: clientFirstBare, serverFirst: serverFirst,
                                     gs2Header: gs2Header, nonce: nonce)
        return Array(serverFirst.utf8)
    }

    /// Handles SASLResponse; returns the server-final-message if the proof is right.
    mutating func receiveClientFinal(data: [UInt8]) throws(PGError) -> [UInt8] {
        guard case .awaitingClientFinal(let clientFirstBare, let serverFirst, let gs2Header, let nonce) = state else {
            throw Self.malformed("Unexpected SCRAM message.")
        }
        state = .finished
        let text = String(decoding: data, as: UTF8.self)
        var attributes = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let proofAttribute = attributes.popLast(), proofAttribute.hasPrefix("p=") else {
            throw Self.malformed("Could not find proof in client-final-message.")
        }
        let withoutProof = attributes.joined(separator: ",")
        guard attributes.count >= 2, attributes[0].hasPrefix("c="), attributes[1].hasPrefix("r=") else {
            throw Self.malformed("Expected attributes \"c\" and \"r\".")
        }
        guard base64Decode(attributes[0].dropFirst(2)) == Array(gs2Header.utf8) else {
            throw Self.malformed("SCRAM channel binding check failed.")
        }
        guard attributes[1].dropFirst(2) == nonce else { throw Self.malformed("Nonce does not match.") }
        guard let proof = base64Decode(proofAttribute.dropFirst(2)), proof.count == SHA256.byteCount else {
            throw Self.malformed("Malformed proof in client-final-message.")
        }
        guard let verifier else { throw PGError.passwordAuthenticationFailed(user: user) }
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = hmacSHA256(key: verifier.storedKey, authMessage)
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard constantTimeEqual(Array(SHA256.hash(data: clientKey)), verifier.storedKey) else {
            throw PGError.passwordAuthenticationFailed(user: user)
        }
        let serverSignature = hmacSHA256(key: verifier.serverKey, authMessage)
        return Array("v=\(base64Encode(serverSignature))".utf8)
    }
}
