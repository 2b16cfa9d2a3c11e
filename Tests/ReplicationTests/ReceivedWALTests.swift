// Writing received WAL at its LSNs (a chunk crossing a segment boundary lands at the right offsets
// of two files named as PostgreSQL names them), and unpacking a base backup's tar stream.
import Foundation
import Testing
import WAL
@testable import Replication

@Suite struct ReceivedWALWriterTests {
    let directory = "/tmp/receiver-unit-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)

    @Test func chunkCrossingASegmentBoundaryIsSplitAtTheRightOffsets() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segmentSize = 1 << 20
        let writer = try ReceivedWALWriter(directory: directory, timeline: TimelineID(3), segmentSize: segmentSize)
        let start = LSN(UInt64(5 * segmentSize - 100))
        let chunk = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        try writer.write(Array(chunk[0..<40]), at: start)
        try writer.write(Array(chunk[40...]), at: start.advanced(by: 40))
        try writer.close()

        let first = try Data(contentsOf: URL(fileURLWithPath: directory + "/000000030000000000000004"))
        let second = try Data(contentsOf: URL(fileURLWithPath: directory + "/000000030000000000000005"))
        #expect(first.count == segmentSize && second.count == segmentSize)
        #expect(Array(first[(segmentSize - 100)...]) == Array(chunk[0..<100]))
        #expect(Array(second[0..<200]) == Array(chunk[100...]))
        #expect(first[0..<(segmentSize - 100)].allSatisfy { $0 == 0 })
        #expect(second[200...].allSatisfy { $0 == 0 })
    }

    @Test func segmentSizeMustBeAPowerOfTwo() {
        #expect(throws: WALError.self) {
            try ReceivedWALWriter(directory: directory, timeline: .first, segmentSize: 3_000_000)
        }
    }
}

@Suite struct TarExtractorTests {
    let directory = "/tmp/tar-unit-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)

    func archive(_ files: [String: String], directories: [String]) throws -> [UInt8] {
        try tarArchive(files, directories: directories, scratch: directory)
    }

    @Test func extractsFilesAndDirectoriesFedOneByteAtATime() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let big = String(repeating: "0123456789", count: 100)
        let bytes = try archive(["PG_VERSION": "15\n", "base/1/1259": big, "global/empty": ""],
                                directories: ["base", "base/1", "global", "pg_wal"])
        let extractor = TarExtractor(directory: directory)
        for byte in bytes { try extractor.consume([byte]) }
        try extractor.finish()
        #expect(extractor.isFinished)
        #expect(try String(contentsOfFile: directory + "/PG_VERSION", encoding: .utf8) == "15\n")
        #expect(try String(contentsOfFile: directory + "/base/1/1259", encoding: .utf8) == big)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/global/empty")).isEmpty)
        #expect(extractor.extractedBytes == Int64(3 + big.utf8.count))
    }

    @Test func corruptHeaderAndEscapingNamesAreRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes = try archive(["a": "x"], directories: [])
        bytes[0] ^= 0x01
        #expect(throws: TarExtractorError.self) { try TarExtractor(directory: directory).consume(bytes) }

        var escaping = try archive(["a": "x"], directories: [])
        let name = Array("../evil".utf8)
        escaping.replaceSubrange(0..<name.count, with: name)
        // Recompute the checksum so that only the name is wrong.
        let sum = escaping[0..<512].enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 32 : Int($1.element)) }
        let field = Array((String(sum, radix: 8).leftPadded(to: 6) + "\0 ").utf8)
        escaping.replaceSubrange(148..<156, with: field)
        #expect(throws: TarExtractorError("invalid file name \"../evil\" in tar archive")) {
            try TarExtractor(directory: directory).consume(escaping)
        }
    }
}

/// A tar archive made by the system's tar (ustar), so the extractor is tested on a real one.
func tarArchive(_ files: [String: String], directories: [String], scratch directory: String) throws -> [UInt8] {
    let source = directory + "-src"
    defer { try? FileManager.default.removeItem(atPath: source) }
    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    for name in directories { try FileManager.default.createDirectory(atPath: source + "/" + name, withIntermediateDirectories: true) }
    for (name, contents) in files { try Data(contents.utf8).write(to: URL(fileURLWithPath: source + "/" + name)) }
    let output = directory + ".tar"
    defer { try? FileManager.default.removeItem(atPath: output) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/tar")
    process.arguments = ["--format=ustar", "--no-recursion", "-cf", output, "-C", source] + directories + files.keys.sorted()
    try process.run()
    process.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
