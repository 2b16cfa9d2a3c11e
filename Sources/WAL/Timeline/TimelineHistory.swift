// TimelineHistory: the ancestry of a timeline, as PostgreSQL keeps it in `pg_wal/0000000N.history`.
//
// Promoting a standby ends the timeline it was replaying and starts the next one at the switch
// point (the end of the last replayed record). The new timeline's history file lists every
// ancestor, oldest first, one line each:
//
//   parentTLI <TAB> switchpoint <TAB> reason
//   1	0/3000158	no recovery target specified
//   2	0/5000060	no recovery target specified        (in 00000003.history)
//
// meaning "timeline 1 ended at 0/3000158: WAL from there on belongs to timeline 2". Lines starting
// with '#' and blank lines are comments. Timeline 1 has no file. The format is PostgreSQL's, byte for
// byte, because standbys, pg_receivewal and Patroni read it (TIMELINE_HISTORY sends it verbatim);
// that is why it carries no checksum of its own: a file that does not parse is refused instead.
// Invariants: parent timelines strictly increase down the file and are all below `timeline`;
// switch points never decrease.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct TimelineHistory: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The timeline that ended ...
        public var parent: TimelineID
        /// ... here: the first byte that belongs to the next timeline.
        public var switchPoint: LSN
        public var reason: String

        public init(parent: TimelineID, switchPoint: LSN, reason: String) {
            self.parent = parent
            self.switchPoint = switchPoint
            self.reason = reason
        }
    }

    /// The reason PostgreSQL writes when a standby is promoted without a recovery target.
    public static let promotionReason = "no recovery target specified"

    /// The timeline this history leads to (the file's own number).
    public let timeline: TimelineID
    /// Its ancestors, oldest first (empty for timeline 1).
    public let entries: [Entry]

    public init(timeline: TimelineID, entries: [Entry]) {
        self.timeline = timeline
        self.entries = entries
    }

    /// Parses the contents of `timeline`'s history file, checking the invariants.
    public init(parsing text: String, timeline: TimelineID) throws(WALError) {
        let fileName = WALFileName.history(timeline: timeline)
        var entries: [Entry] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, let parent = UInt32(fields[0]),
                  let switchPoint = LSN(parsing: String(fields[1].prefix(while: { $0 != " " && $0 != "\r" })))
            else {
                throw WALError(.corrupt, "syntax error in history file: \(line)", file: fileName)
            }
            if let last = entries.last, parent <= last.parent.value {
                throw WALError(.corrupt, "invalid data in history file: \(line): timeline IDs must be in increasing sequence",
                               file: fileName)
            }
            if let last = entries.last, switchPoint < last.switchPoint {
                throw WALError(.corrupt, "invalid data in history file: \(line): switch points must not decrease",
                               file: fileName)
            }
            guard parent < timeline.value else {
                throw WALError(.corrupt, "invalid data in history file: \(line): timeline IDs must be less than child timeline's ID",
                               file: fileName)
            }
            let reason = fields.count == 3 ? String(fields[2]).trimmingTrailingCarriageReturn() : ""
            entries.append(Entry(parent: TimelineID(parent), switchPoint: switchPoint, reason: reason))
        }
        self.init(timeline: timeline, entries: entries)
    }

    /// The file's contents, as PostgreSQL writes them.
    public var text: String {
        entries.map { "\($0.parent)\t\($0.switchPoint)\t\($0.reason)\n" }.joined()
    }

    /// True if `other` is this timeline or one of its ancestors.
    public func contains(_ other: TimelineID) -> Bool {
        other == timeline || entries.contains { $0.parent == other }
    }

    /// Where `ancestor` ended in this history; nil for this timeline itself (it has not ended) and
    /// for timelines that are not ancestors.
    public func switchPoint(ending ancestor: TimelineID) -> LSN? {
        entries.first { $0.parent == ancestor }?.switchPoint
    }

    /// The timeline that follows `ancestor` in this history (this timeline if it is the last one).
    public func successor(of ancestor: TimelineID) -> TimelineID? {
        guard let index = entries.firstIndex(where: { $0.parent == ancestor }) else { return nil }
        return index + 1 < entries.count ? entries[index + 1].parent : timeline
    }

    /// The timeline that holds the WAL byte at `lsn` in this history.
    public func timeline(holding lsn: LSN) -> TimelineID {
        entries.first { lsn < $0.switchPoint }?.parent ?? timeline
    }

    /// The history of the timeline that branches off this one at `switchPoint` (promotion).
    public func branching(at switchPoint: LSN, to next: TimelineID,
                          reason: String = TimelineHistory.promotionReason) -> TimelineHistory {
        TimelineHistory(timeline: next,
                        entries: entries + [Entry(parent: timeline, switchPoint: switchPoint, reason: reason)])
    }

    // MARK: Files in pg_wal/

    /// Reads `timeline`'s history file from `directory`; timeline 1 (no file) has an empty history.
    public static func read(directory: String, timeline: TimelineID) throws(WALError) -> TimelineHistory {
        if timeline == .first { return TimelineHistory(timeline: .first, entries: []) }
        let name = WALFileName.history(timeline: timeline)
        let bytes = try readWholeFile(directory + "/" + name)
        return try TimelineHistory(parsing: String(decoding: bytes, as: UTF8.self), timeline: timeline)
    }

    /// Writes the history file atomically (temporary file, fsync, rename, directory fsync), as
    /// PostgreSQL's writeTimeLineHistory does: a crash leaves either no file or the whole file.
    public func write(directory: String, synchronize: Bool = true) throws(WALError) {
        try Self.writeFile(named: WALFileName.history(timeline: timeline), contents: Array(text.utf8),
                           directory: directory, synchronize: synchronize)
    }

    /// Stores a history file received from an upstream server (TIMELINE_HISTORY) as it came.
    public static func writeFile(named name: String, contents: [UInt8], directory: String,
                                 synchronize: Bool = true) throws(WALError) {
        let target = directory + "/" + name
        let temporary = target + ".tmp"
        let file = try SegmentFile.create(path: temporary, segmentNumber: 0)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: contents.count, alignment: 8)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: contents)
        try file.write(UnsafeRawBufferPointer(bytes), at: 0)
        if synchronize { try file.synchronize() }
        try file.close()
        if rename(temporary, target) != 0 {
            throw WALError.system("rename", file: temporary)
        }
        if synchronize {
            try SegmentDirectory(path: directory, timeline: .first, segmentSize: WALFileName.minimumSegmentSize,
                                 synchronizes: true).synchronizeDirectory()
        }
    }

    /// The highest timeline that has a history file in `directory`, or `atLeast` if that is higher
    /// (PostgreSQL's findNewestTimeLine): recovery_target_timeline = latest follows it, and a
    /// promotion starts the timeline after it.
    public static func newestTimeline(directory: String, atLeast floor: TimelineID) throws(WALError) -> TimelineID {
        var newest = floor
        for name in try SegmentDirectory(path: directory, timeline: floor, segmentSize: WALFileName.minimumSegmentSize,
                                         synchronizes: false).fileNames() {
            if let timeline = WALFileName.parseHistory(name), timeline > newest { newest = timeline }
        }
        return newest
    }

    private static func readWholeFile(_ path: String) throws(WALError) -> [UInt8] {
        guard let file = try SegmentFile.openIfExists(path: path, segmentNumber: 0, writable: false) else {
            throw WALError(.io, "could not open file \"\(path)\": No such file or directory", file: path)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maximumFileBytes + 1, alignment: 8)
        defer { buffer.deallocate() }
        let count = try file.read(into: buffer, at: 0)
        guard count <= maximumFileBytes else {
            throw WALError(.corrupt, "history file \"\(path)\" is larger than \(maximumFileBytes) bytes", file: path)
        }
        return Array(buffer[0..<count])
    }

    /// A history file has one short line per promotion; anything this large is not one.
    private static let maximumFileBytes = 1 << 20
}

private extension String {
    func trimmingTrailingCarriageReturn() -> String {
        hasSuffix("\r") ? String(dropLast()) : self
    }
}
