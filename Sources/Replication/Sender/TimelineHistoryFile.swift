// TimelineHistoryFile: a `0000000N.history` file in pg_wal/ as the WAL sender needs it — its raw
// bytes for TIMELINE_HISTORY, and (through WAL's TimelineHistory) where an older timeline of this
// server's history ended, for START_REPLICATION on that timeline.

#if canImport(Glibc)
import Glibc
#endif
import PGWire
import WAL

struct TimelineHistoryFile {
    var bytes: [UInt8]
    var history: TimelineHistory

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
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        do {
            return TimelineHistoryFile(bytes: bytes, history: try TimelineHistory(parsing: String(decoding: bytes, as: UTF8.self),
                                                                                  timeline: timeline))
        } catch {
            throw PGError(sqlState: "XX000", message: "invalid timeline history file \"pg_wal/\(name)\": \(error)")
        }
    }

    /// Where `timeline` ended and which timeline followed it in this history; nil if `timeline`
    /// is this file's own (it has not ended).
    func end(of timeline: TimelineID) throws(PGError) -> (switchPoint: LSN, next: TimelineID)? {
        if timeline == history.timeline { return nil }
        guard let switchPoint = history.switchPoint(ending: timeline), let next = history.successor(of: timeline) else {
            throw PGError(sqlState: "XX000", message: "requested timeline \(timeline) is not in this server's history")
        }
        return (switchPoint, next)
    }
}
