// ServerLogHandler: swift-log output in PostgreSQL's server log format, on standard error:
//   2026-11-29 19:37:32.123 UTC [4711] LOG:  database system is ready to accept connections
// Structured metadata follows the message as `key=value` pairs so that logs stay greppable.
// Levels map to PostgreSQL's: trace/debug → DEBUG1, info/notice → LOG, warning → WARNING,
// error → ERROR, critical → FATAL.

import Foundation
import Logging

public struct ServerLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let severity: String
        switch event.level {
        case .trace, .debug: severity = "DEBUG1"
        case .info, .notice: severity = "LOG"
        case .warning: severity = "WARNING"
        case .error: severity = "ERROR"
        case .critical: severity = "FATAL"
        }
        var line = "\(Self.timestamp()) [\(getpid())] \(severity):  \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// `2026-11-29 19:37:32.123 UTC`, like log_line_prefix's %m.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(now.tv_nsec / 1_000_000)
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3)) UTC"
    }
}
