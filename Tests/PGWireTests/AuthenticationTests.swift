// SCRAM-SHA-256 against RFC 7677's test vector, PostgreSQL's verifier format, and the md5 scheme.

import Crypto
import CryptoExtras
import Testing
@testable import PGWire

@Suite struct AuthenticationTests {
    // RFC 7677 section 3: user "user", password "pencil".
    static let salt = base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==") ?? []
    static let clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    static let serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    static let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    static let serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

    static func exchange(verifier: String?) -> SCRAMServerExchange {
        SCRAMServerExchange(user: "user", verifierText: verifier, serverNonce: serverNonce, mockSalt: salt)
    }

    @Test func rfc7677Exchange() throws {
        let verifier = SCRAM.makeVerifier(password: "pencil", salt: Self.salt)
        var exchange = Self.exchange(verifier: verifier)
        let first = try exchange.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array(Self.clientFirst.utf8))
        #expect(String(decoding: first, as: UTF8.self) == Self.serverFirst)
        let final = try exchange.receiveClientFinal(data: Array(Self.clientFinal.utf8))
        #expect(String(decoding: final, as: UTF8.self) == Self.serverFinal)
    }

    @Test func hiMatchesSwiftCryptoPBKDF2() throws {
        for (password, iterations) in [("pencil", 4096), ("", 1), ("päss wörd", 2)] {
            let expected = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: Self.salt, using: .sha256,
                outputByteCount: SHA256.byteCount, unsafeUncheckedRounds: iterations)
            #expect(SCRAMKeys.hi(password: Array(password.utf8), salt: Self.salt, iterations: iterations)
                == expected.withUnsafeBytes { Array($0) })
        }
    }

    @Test func verifierFormat() throws {
        let verifier = SCRAM.makeVerifier(password: "pencil", salt: Self.salt)
        let parts = verifier.split(separator: "$")
        #expect(parts.count == 3)
        #expect(parts[0] == "SCRAM-SHA-256")
        #expect(parts[1] == "4096:W22ZaJ0SNY7soEsUEjb6gQ==")
        #expect(SCRAMVerifier(parsing: verifier)?.text == verifier)
        #expect(SCRAMVerifier(parsing: "md5abc") == nil)
        // A random salt each time.
        #expect(SCRAM.makeVerifier(password: "x") != SCRAM.makeVerifier(password: "x"))
    }

    @Test func wrongPasswordFails() throws {
        var exchange = Self.exchange(verifier: SCRAM.makeVerifier(password: "other", salt: Self.salt))
        _ = try exchange.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array(Self.clientFirst.utf8))
        #expect(throws: PGError.passwordAuthenticationFailed(user: "user")) {
            try exchange.receiveClientFinal(data: Array(Self.clientFinal.utf8))
        }
    }

    @Test func unknownRoleRunsTheExchangeThenFails() throws {
        var exchange = Self.exchange(verifier: nil)
        let first = try exchange.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array(Self.clientFirst.utf8))
        #expect(String(decoding: first, as: UTF8.self) == Self.serverFirst)
        #expect(throws: PGError.passwordAuthenticationFailed(user: "user")) {
            try exchange.receiveClientFinal(data: Array(Self.clientFinal.utf8))
        }
    }

    @Test func mockSaltIsStablePerUser() {
        #expect(SCRAMServerExchange.mockSalt(for: "ghost") == SCRAMServerExchange.mockSalt(for: "ghost"))
        #expect(SCRAMServerExchange.mockSalt(for: "ghost") != SCRAMServerExchange.mockSalt(for: "other"))
        #expect(SCRAMServerExchange.mockSalt(for: "ghost").count == SCRAM.saltByteCount)
    }

    @Test func channelBindingFlags() throws {
        var withY = Self.exchange(verifier: nil)
        _ = try withY.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array("y,,n=,r=abc".utf8))
        var withP = Self.exchange(verifier: nil)
        #expect(throws: PGError.self) {
            try withP.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array("p=tls-server-end-point,,n=,r=abc".utf8))
        }
        var plus = Self.exchange(verifier: nil)
        #expect(throws: PGError.self) {
            try plus.receiveClientFirst(mechanism: "SCRAM-SHA-256-PLUS", data: Array("n,,n=,r=abc".utf8))
        }
    }

    @Test func malformedClientFinalIsRefused() throws {
        var exchange = Self.exchange(verifier: SCRAM.makeVerifier(password: "pencil", salt: Self.salt))
        _ = try exchange.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array(Self.clientFirst.utf8))
        #expect(throws: PGError.self) { try exchange.receiveClientFinal(data: Array("c=biws,r=wrong,p=AAAA".utf8)) }
    }

    @Test func md5StoredHashAndResponse() {
        #expect(MD5Password.makeStoredHash(password: "pencil", user: "user") == "md520c46e3762c864548e296b33c3406aa9")
        let stored = MD5Password.makeStoredHash(password: "pencil", user: "user")
        let response = MD5Password.expectedResponse(storedHash: stored, salt: [1, 2, 3, 4])
        #expect(response == "md54376eb6913b38f9aaff38dc7cf19ca76")
        #expect(MD5Password.verify(response: response, storedHash: stored, salt: [1, 2, 3, 4]))
        #expect(!MD5Password.verify(response: response, storedHash: stored, salt: [1, 2, 3, 5]))
        #expect(!MD5Password.verify(response: response, storedHash: nil, salt: [1, 2, 3, 4]))
    }
}
