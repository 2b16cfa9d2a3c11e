// TestSupport: scratch pg_wal/ directories and small helpers shared by the WAL tests.

import Foundation
import Logging
@testable import WAL

/// A fresh directory under the system temp folder, removed when the value is released.
final class ScratchDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-wal-tests")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func filePath(_ name: String) -> String { path + "/" + name }
}

enum TestWAL {
    /// 1 MiB segments keep the tests' files small; the code paths are the same as with 16 MiB.
    static let segmentSize = 1 << 20
    static let timeline = TimelineID.first
    static let heap = ResourceManagerID(rawValue: 10)
    static var start: LSN { WALFileName.startLSN(ofSegment: 1, segmentSize: segmentSize) }

    static func configuration(fsync: Bool = false, walBuffers: Int? = nil) -> WALConfiguration {
        var configuration = WALConfiguration(fsync: fsync, segmentSize: segmentSize)
        if let walBuffers { configuration.walBuffers = walBuffers }
        return configuration
    }

    static func writer(_ directory: ScratchDirectory, end: LSN = start, previous: LSN = .invalid,
                       configuration: WALConfiguration = configuration()) throws -> WALWriter {
        try WALWriter(directory: directory.path, timeline: timeline, end: end, previousRecord: previous,
                      configuration: configuration, logger: Logger(label: "wal-test"))
    }

    static func reader(_ directory: ScratchDirectory, start: LSN = start) throws -> WALReader {
        try WALReader(directory: directory.path, timeline: timeline, start: start, segmentSize: segmentSize)
    }

    /// Every record from `start` to the end of valid WAL, and the reader that stopped there.
    static func readAll(_ directory: ScratchDirectory, start: LSN = start) throws -> ([WALRecord], WALReader) {
        var reader = try reader(directory, start: start)
        var records: [WALRecord] = []
        while let record = try reader.next() {
            records.append(record)
        }
        return (records, reader)
    }

    /// Deterministic payload bytes for record number `index`.
    static func payload(_ index: Int, length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7 &+ 1) }
    }
}

/// Overwrites bytes of a file in place.
func patchFile(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data(bytes))
}

import Testing
