// FullPageImageCodecTests: zstd round trips of 8 KiB pages.

import Testing
@testable import WAL

@Suite("Full-page image codec")
struct FullPageImageCodecTests {
    static let pageSize = 8192

    @Test func roundTripOfAHalfEmptyPage() throws {
        var page = [UInt8](repeating: 0, count: Self.pageSize)
        for index in 0..<(Self.pageSize / 2) {
            page[index] = UInt8(truncatingIfNeeded: index % 97)
        }
        let compressed = try FullPageImageCodec.compress(page)
        #expect(compressed.count < Self.pageSize / 4)
        #expect(try FullPageImageCodec.decompress(compressed, pageSize: Self.pageSize) == page)
    }

    @Test func roundTripOfRandomBytes() throws {
        let page = (0..<Self.pageSize).map { _ in UInt8.random(in: 0...255) }
        let compressed = try FullPageImageCodec.compress(page)
        #expect(try FullPageImageCodec.decompress(compressed, pageSize: Self.pageSize) == page)
    }

    @Test func wrongSizeOrGarbageIsAnError() throws {
        let compressed = try FullPageImageCodec.compress([UInt8](repeating: 7, count: Self.pageSize))
        #expect(throws: WALError.self) { try FullPageImageCodec.decompress(compressed, pageSize: 4096) }
        #expect(throws: WALError.self) { try FullPageImageCodec.decompress([1, 2, 3, 4, 5], pageSize: Self.pageSize) }
    }

    @Test func concurrentUseIsSafe() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<50 {
                        let page = [UInt8](repeating: UInt8(truncatingIfNeeded: task * 50 + round), count: Self.pageSize)
                        let back = try FullPageImageCodec.decompress(try FullPageImageCodec.compress(page),
                                                                     pageSize: Self.pageSize)
                        #expect(back == page)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
