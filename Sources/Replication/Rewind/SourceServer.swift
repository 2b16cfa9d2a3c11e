// SourceServer: what rewind learns about the new primary before it touches the target, over one
// replication connection: IDENTIFY_SYSTEM (system identifier, timeline), SHOW wal_segment_size, and
// TIMELINE_HISTORY of its timeline (none for timeline 1), kept as sent so the rewound directory
// gets the same history file.

import PGWire
import WAL

struct SourceServer {
    var systemIdentifier: UInt64
    var timeline: TimelineID
    /// Its WAL flush position when inspected.
    var flushLSN: LSN
    var segmentSize: Int
    var history: TimelineHistory
    /// The history file as the source sent it; nil on timeline 1.
    var historyFile: (fileName: String, content: [UInt8])?

    static func inspect(_ configuration: PGClientConfiguration) throws -> SourceServer {
        var configuration = configuration
        configuration.replication = "true"
        configuration.applicationName = configuration.applicationName ?? "minipg rewind"
        let connection = try PGClientConnection.connect(configuration)
        defer { connection.close() }
        let system = try connection.identifySystem()
        let segmentSize = try BaseBackupClient.parseSegmentSize(try connection.show("wal_segment_size"))
        guard system.timeline != .first else {
            return SourceServer(systemIdentifier: system.systemIdentifier, timeline: system.timeline, flushLSN: system.flushLSN, segmentSize: segmentSize,
                                history: TimelineHistory(timeline: .first, entries: []), historyFile: nil)
        }
        let file = try connection.timelineHistory(system.timeline)
        guard file.fileName == WALFileName.history(timeline: system.timeline) else {
            throw ReplicationClientError("source reported unexpected file name for timeline history file of timeline \(system.timeline.value)",
                                         detail: "Got \"\(file.fileName)\".")
        }
        let history = try TimelineHistory(parsing: String(decoding: file.content, as: UTF8.self), timeline: system.timeline)
        return SourceServer(systemIdentifier: system.systemIdentifier, timeline: system.timeline, flushLSN: system.flushLSN, segmentSize: segmentSize,
                            history: history, historyFile: file)
    }
}
