// DataDirectory: the files of one minipg instance, laid out as PostgreSQL lays out PGDATA.
//
//   PG_VERSION          "15" — the on-disk format family we imitate
//   postgresql.conf     settings (PostgreSQL's syntax)          pg_hba.conf   client authentication rules
//   postmaster.pid      lock file while a server runs: pid, data directory, start time, port, ...
//   standby.signal      start as a standby (replay, read-only) until promoted; `promote` asks for that
//   global/pg_control   the control file (Storage)               base/<db>/<relation>  relation files
//   pg_wal/             WAL segments (WAL)                       pg_xact/      commit log (Storage)
//   rewind_in_progress  an unfinished `minipg rewind` (Replication's RewindMarker): the server refuses to start
// Invariant: at most one server runs on a data directory; postmaster.pid is created with O_EXCL and a
// stale one (its pid no longer alive) is replaced, as PostgreSQL does after a crash.

import Foundation
import Replication

public struct DataDirectory: Sendable {
    public let path: String

    public init(_ path: String) {
        // Absolute, without a trailing slash: it is printed in messages and stored in postmaster.pid.
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path = absolute.count > 1 && absolute.hasSuffix("/") ? String(absolute.dropLast()) : absolute
    }

    public var versionFile: String { path + "/PG_VERSION" }
    public var configFile: String { path + "/postgresql.conf" }
    public var autoConfigFile: String { path + "/postgresql.auto.conf" }
    public var hbaFile: String { path + "/pg_hba.conf" }
    public var pidFile: String { path + "/postmaster.pid" }
    /// Present: start as a standby (PostgreSQL 12+). Removed by promotion.
    public var standbySignalFile: String { path + "/standby.signal" }
    /// Written by `minipg promote` before it sends SIGUSR1 (pg_ctl promote's "promote" file).
    public var promoteSignalFile: String { path + "/promote" }

    public static let formatVersion = "15"

    public var exists: Bool { FileManager.default.fileExists(atPath: versionFile) }

    /// Checks that this looks like a data directory minipg made, with PostgreSQL's wording.
    public func validate() throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServerError("data directory \"\(path)\" does not exist")
        }
        guard let version = try? String(contentsOfFile: versionFile, encoding: .utf8) else {
            throw ServerError("\"\(path)\" is not a valid data directory", detail: "File \"\(versionFile)\" is missing.")
        }
        guard version.trimmingCharacters(in: .whitespacesAndNewlines) == Self.formatVersion else {
            throw ServerError("database files are incompatible with server",
                              detail: "The data directory was initialized by version \(version.trimmingCharacters(in: .whitespacesAndNewlines)), which is not compatible with this version \(Self.formatVersion).")
        }
        // Half old primary, half new primary: not a database until rewind finishes.
        guard !RewindMarker.exists(in: path) else {
            throw ServerError("rewind did not finish; run minipg rewind again",
                              detail: "File \"\(path)/\(RewindMarker.fileName)\" is present: an interrupted minipg rewind left this directory.")
        }
    }

    /// Creates postmaster.pid, replacing a stale one left by a crashed server.
    public func lock(port: Int, listenAddresses: String, startTime: Date) throws {
        let contents = "\(getpid())\n\(path)\n\(Int(startTime.timeIntervalSince1970))\n\(port)\n/tmp\n\(listenAddresses)\n  0 0\nready   \n"
        for _ in 0..<2 {
            let fd = open(pidFile, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                defer { close(fd) }
                let bytes = Array(contents.utf8)
                guard write(fd, bytes, bytes.count) == bytes.count else {
                    throw ServerError("could not write lock file \"\(pidFile)\"")
                }
                fsync(fd)
                return
            }
            guard errno == EEXIST else { throw ServerError("could not create lock file \"\(pidFile)\": \(String(cString: strerror(errno)))") }
            let existing = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
            let pid = Int32(existing.split(separator: "\n").first.map(String.init) ?? "") ?? 0
            if pid > 0 && pid != getpid() && kill(pid, 0) == 0 {
                throw ServerError("lock file \"postmaster.pid\" already exists",
                                  hint: "Is another postmaster (PID \(pid)) running in data directory \"\(path)\"?")
            }
            unlink(pidFile)
        }
        throw ServerError("could not create lock file \"\(pidFile)\"")
    }

    public func unlock() { unlink(pidFile) }

    /// The pid in postmaster.pid if that process is alive (what `minipg promote` signals).
    public func runningServerPID() -> Int32? {
        guard let contents = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(contents.split(separator: "\n").first.map(String.init) ?? ""),
              pid > 0, kill(pid, 0) == 0
        else { return nil }
        return pid
    }
}

/// A startup or configuration failure, printed as PostgreSQL prints its FATAL messages.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(_ message: String, detail: String? = nil, hint: String? = nil) {
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = message
        if let detail { text += "\nDETAIL:  \(detail)" }
        if let hint { text += "\nHINT:  \(hint)" }
        return text
    }
}
