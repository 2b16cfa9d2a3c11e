// TimelineHistoryFile: a `0000000N.history` file in pg_wal/, as the WAL sender needs it — its raw
// bytes for TIMELINE_HISTORY, and where an older timeline of this server's history ended (the
// switch point) for START_REPLICATION on that timeline. One line per ancestor:
//
//   <parent timeline>\t<switch point X/X>\t<reason>\n      (lines starting with # are comments)
//
// "Timeline <parent> ended at <switch point>; WAL from there on belongs to the next timeline".

#if canImport(Glibc)
import Glibc
#endif
import PGWire
import WAL

struct TimelineHistoryFile {
    struct Entry: Equatable {
        var parent: TimelineID
        var switchPoint: LSN
    }

    var bytes: [UInt8]
    var entries: [Entry]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        entries = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard !line.hasPrefix("#"), fields.count >= 2,
                  let parent = UInt32(String(fields[0].filter { !$0.isWhitespace })),
                  let switchPoint = LSN(parsing: String(fields[1].filter { !$0.isWhitespace }))
            else { return nil }
            return Entry(parent: TimelineID(parent), switchPoint: switchPoint)
        }
    }

    static func read(_ timeline: TimelineID, walDirectory: String) throws(PGError) -> TimelineHistoryFile {
        let name = WALFileName.history(timeline: timeline)
        let path = walDirectory + "/" + name
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno == ENOENT ? "58P01" : "58030"
            throw PGError(sqlState: code, message: "could not open file \"pg_wal/\(name)\": \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw PGError(sqlState: "58030", message: "could not read file \"pg_wal/\(name)\": \(String(cString: strerror(errno)))")
            }
            if count == 0 { return TimelineHistoryFile(bytes: bytes) }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Where `timeline` ended and which timeline followed it, in the history of `current` (this
    /// file's timeline); nil if `timeline` is `current` itself (it has not ended).
    func end(of timeline: TimelineID, current: TimelineID) throws(PGError) -> (switchPoint: LSN, next: TimelineID)? {
        if timeline == current { return nil }
        guard let index = entries.firstIndex(where: { $0.parent == timeline }) else {
            throw PGError(sqlState: "XX000", message: "requested timeline \(timeline) is not in this server's history")
        }
        let next = index + 1 < entries.count ? entries[index + 1].parent : current
        return (entries[index].switchPoint, next)
    }
}
