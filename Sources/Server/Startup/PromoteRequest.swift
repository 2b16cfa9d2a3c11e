// PromoteRequest: `minipg promote -D DIR`, PostgreSQL's `pg_ctl promote`. It asks the server
// running on DIR to end recovery and waits until pg_control says "in production":
//
//   1. postmaster.pid names the running server; standby.signal says it is a standby
//   2. write DIR/promote, then send SIGUSR1 (the server promotes when it finds the file)
//   3. poll pg_control until its state is "in production" (or the timeout passes)
// The messages are pg_ctl's.

import Foundation
import Storage

public enum PromoteRequest {
    /// How often pg_control is read while waiting (pg_ctl checks every 100 ms too).
    static let pollInterval: Duration = .milliseconds(100)

    /// Steps 1 and 2: asks the standby running on `path` to promote.
    public static func signal(dataDirectory path: String) throws {
        let directory = DataDirectory(path)
        guard let pid = directory.runningServerPID() else {
            throw ServerError("PID file \"\(directory.pidFile)\" does not exist", hint: "Is server running?")
        }
        guard FileManager.default.fileExists(atPath: directory.standbySignalFile) else {
            throw ServerError("cannot promote server; server is not in standby mode")
        }
        guard FileManager.default.createFile(atPath: directory.promoteSignalFile, contents: Data()) else {
            throw ServerError("could not create promote signal file \"\(directory.promoteSignalFile)\"")
        }
        guard kill(pid, SIGUSR1) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: directory.promoteSignalFile)
            throw ServerError("could not send promote signal (PID: \(pid)): \(reason)")
        }
    }

    /// Step 3: true once pg_control says "in production", false if `timeout` passed first.
    public static func waitUntilPromoted(dataDirectory path: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let control = try? StorageEngine.readControlFile(dataDirectory: DataDirectory(path).path),
               control.state == .inProduction {
                return true
            }
            Thread.sleep(forTimeInterval: Double(pollInterval.components.attoseconds) / 1e18)
        }
        return false
    }
}
