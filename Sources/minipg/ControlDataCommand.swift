// `minipg controldata -D DIR`: prints the control file, like PostgreSQL's pg_controldata. Works whether
// or not a server runs on DIR; the HA agent reads the system identifier and timeline from it while its
// server is stopped. Labels are pg_controldata's, so scripts that grep them keep working.

import ArgumentParser
import Foundation
import Storage

struct ControlDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controldata",
        abstract: "Display the control information of a minipg data directory (like pg_controldata)."
    )

    @Option(name: [.customShort("D"), .customLong("pgdata")], help: "Data directory.")
    var dataDirectory: String

    func run() throws {
        let control: ControlFileData
        do {
            control = try StorageEngine.readControlFile(dataDirectory: dataDirectory)
        } catch {
            printError("controldata: error: could not read control file in \"\(dataDirectory)\": \(error)")
            throw ExitCode(1)
        }
        let modified = Date(timeIntervalSince1970: TimeInterval(control.time))
        let lines: [(String, String)] = [
            ("Database system identifier", String(control.systemIdentifier)),
            ("Database cluster state", control.state.description),
            ("pg_control last modified", modified.formatted(.iso8601)),
            ("Latest checkpoint location", control.checkpointLSN.description),
            ("Latest checkpoint's REDO location", control.redoLSN.description),
            ("Latest checkpoint's TimeLineID", String(control.timeline.value)),
            ("Latest checkpoint's NextXID", "0:\(control.nextXid.value)"),
            ("Latest checkpoint's NextOID", String(control.nextOID)),
        ]
        for (label, value) in lines {
            let padding = String(repeating: " ", count: max(1, 38 - label.count - 1))
            print("\(label):\(padding)\(value)")
        }
    }
}
