// CRC32CTests: check values, hardware against software, chaining.

import Testing
@testable import WAL

@Suite("CRC32C")
struct CRC32CTests {
    @Test func checkValue() {
        let digits = Array("123456789".utf8)
        #expect(CRC32C.checksum(digits) == 0xE306_9283)
        #expect(digits.withUnsafeBytes { CRC32C.softwareChecksum($0) } == 0xE306_9283)
        if CRC32C.hardwareAvailable {
            #expect(digits.withUnsafeBytes { CRC32C.hardwareChecksum($0) } == 0xE306_9283)
        }
    }

    @Test func knownVectors() {
        // RFC 3720 (iSCSI) B.4 test patterns.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func hardwareAgreesWithSoftware() throws {
        try #require(CRC32C.hardwareAvailable, "no SSE4.2 on this CPU")
        var generator = SystemRandomNumberGenerator()
        // Lengths around every path of the C code: bytes, words, short, medium and long lanes.
        let lengths = [0, 1, 7, 8, 9, 63, 767, 768, 769, 2000, 6143, 6144, 6145, 8192, 24_575, 24_576, 24_577,
                       31_488, 65_536, 100_003]
        for length in lengths {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let seed = UInt32.random(in: 0...UInt32.max, using: &generator)
            bytes.withUnsafeBytes { raw in
                #expect(CRC32C.hardwareChecksum(raw, continuing: seed) == CRC32C.softwareChecksum(raw, continuing: seed),
                        "length \(length)")
            }
        }
    }

    @Test func continuingEqualsOneCall() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let whole = CRC32C.checksum(bytes)
        for split in [0, 1, 100, 5_000, 9_999, 10_000] {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), continuing: first) == whole)
        }
    }
}
