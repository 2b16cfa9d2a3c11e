// Never trap on input: seeded random and mutated byte streams go through the decoder and the SCRAM
// parser; every outcome must be a message, "need more data", or a PGError.

import NIOCore
import Testing
@testable import PGWire

/// SplitMix64: a tiny deterministic generator, so a failure replays from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct FuzzTests {
    static let rounds = 2_000

    /// Decodes everything it can; returns how it ended (never traps).
    static func decode(_ bytes: [UInt8], startupDone: Bool) -> String {
        var decoder = FrontendMessageDecoder()
        var input = ByteBuffer()
        if startupDone {
            FrontendMessage.startup(StartupMessage(protocolMinorVersion: 0, parameters: [("user", "u")])).encode(into: &input)
        }
        input.writeBytes(bytes)
        do {
            while try decoder.next(from: &input) != nil {}
            return "needMoreData"
        } catch {
            #expect(error.sqlState == "08P01")
            #expect(error.severity == .fatal)
            return "error"
        }
    }

    @Test func randomBytes() {
        var generator = SeededGenerator(state: 42)
        for round in 0..<Self.rounds {
            let count = Int.random(in: 0...64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            _ = Self.decode(bytes, startupDone: round % 2 == 0)
        }
    }

    @Test func mutatedValidStreams() {
        var generator = SeededGenerator(state: 7)
        let valid = FrontendMessageDecoderTests.encode(FrontendMessageDecoderTests.typedMessages)
        let bytes = Array(valid.readableBytesView)
        for _ in 0..<Self.rounds {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[index] = UInt8.random(in: .min ... .max, using: &generator)
            }
            _ = Self.decode(mutated, startupDone: true)
        }
    }

    @Test func randomSASLMessages() {
        var generator = SeededGenerator(state: 99)
        let alphabet = Array("nyp=,abcr=s=i=c=biws+/0123456789".utf8)
        let verifier = SCRAM.makeVerifier(password: "pencil", iterations: 1)
        for _ in 0..<Self.rounds {
            func randomText() -> [UInt8] {
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                    alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                }
            }
            var exchange = SCRAMServerExchange(user: "u", verifierText: verifier)
            _ = try? exchange.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: Array("n,,n=,r=abc".utf8) + randomText())
            _ = try? exchange.receiveClientFinal(data: Array("c=biws,r=".utf8) + randomText())
            var fresh = SCRAMServerExchange(user: "u", verifierText: verifier)
            _ = try? fresh.receiveClientFirst(mechanism: "SCRAM-SHA-256", data: randomText())
        }
    }
}
