// ReplicationCommands: the client side of the replication command language (pg-replication.md §2)
// on a `replication=true` connection — sending IDENTIFY_SYSTEM, TIMELINE_HISTORY, SHOW and
// START_REPLICATION as PostgreSQL's walreceiver and pg_basebackup spell them, and reading their
// result rows into typed values.

import PGWire
import WAL

/// A replication-level failure the client detects (not an ErrorResponse, which stays a PGError).
public struct ReplicationClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var detail: String?
    public init(_ message: String, detail: String? = nil) {
        self.message = message
        self.detail = detail
    }
    public var description: String { detail.map { "\(message)\nDETAIL:  \($0)" } ?? message }
}

/// IDENTIFY_SYSTEM's one row.
public struct SystemIdentification: Sendable, Equatable {
    public var systemIdentifier: UInt64
    public var timeline: TimelineID
    /// The primary's current WAL flush position.
    public var flushLSN: LSN
}

/// What a START_REPLICATION that reached the end of its timeline returns (after CopyDone).
public struct TimelineEnd: Sendable, Equatable {
    public var nextTimeline: TimelineID
    /// Where the next timeline starts (WAL at and beyond it belongs to `nextTimeline`).
    public var switchPoint: LSN
}

extension PGClientConnection {
    public func identifySystem() throws -> SystemIdentification {
        let result = try singleRow("IDENTIFY_SYSTEM")
        guard let idText = result.text("systemid"), let systemIdentifier = UInt64(idText),
              let timelineText = result.text("timeline"), let timeline = UInt32(timelineText),
              let positionText = result.text("xlogpos"), let flushLSN = LSN(parsing: positionText)
        else { throw ReplicationClientError("could not identify system: unexpected result from IDENTIFY_SYSTEM") }
        return SystemIdentification(systemIdentifier: systemIdentifier, timeline: TimelineID(timeline), flushLSN: flushLSN)
    }

    /// TIMELINE_HISTORY: the history file of `timeline` (its name and raw content).
    public func timelineHistory(_ timeline: TimelineID) throws -> (fileName: String, content: [UInt8]) {
        let result = try singleRow("TIMELINE_HISTORY \(timeline.value)")
        guard let fileName = result.text("filename"), let content = result.bytes("content") else {
            throw ReplicationClientError("unexpected result set after end-of-streaming")
        }
        return (fileName, content)
    }

    /// SHOW name: one setting's value.
    public func show(_ name: String) throws -> String {
        guard let value = try singleRow("SHOW \(name)").rows.first?.first.flatMap({ $0 }) else {
            throw ReplicationClientError("could not fetch setting \"\(name)\"")
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// The START_REPLICATION command text, as PostgreSQL 15's walreceiver sends it.
    static func startReplicationCommand(slot: String?, start: LSN, timeline: TimelineID) -> String {
        var command = "START_REPLICATION"
        if let slot { command += " SLOT \"\(slot)\"" }
        return command + " \(start) TIMELINE \(timeline.value)"
    }

    /// The result set that ends a timeline (next_tli, next_tli_startpos), if `results` has one.
    static func timelineEnd(in results: [PGQueryResult]) throws -> TimelineEnd? {
        guard let result = results.first(where: { !$0.columns.isEmpty }) else { return nil }
        guard result.columns.count == 2, result.rows.count == 1,
              let tliText = result.rows[0][0].map({ String(decoding: $0, as: UTF8.self) }), let tli = UInt32(tliText),
              let positionText = result.rows[0][1].map({ String(decoding: $0, as: UTF8.self) }),
              let position = LSN(parsing: positionText)
        else { throw ReplicationClientError("unexpected result set after end-of-streaming") }
        return TimelineEnd(nextTimeline: TimelineID(tli), switchPoint: position)
    }

    private func singleRow(_ command: String) throws -> PGQueryResult {
        let results = try simpleQuery(command)
        guard let result = results.first, result.rows.count == 1 else {
            throw ReplicationClientError("could not run \(command.split(separator: " ")[0]): unexpected result",
                                         detail: "Got \(results.first?.rows.count ?? 0) rows, expected 1.")
        }
        return result
    }
}
