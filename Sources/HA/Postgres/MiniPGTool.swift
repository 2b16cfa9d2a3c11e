// MiniPGTool: the one-shot `minipg` subcommands the agent runs beside its server — initdb, basebackup,
// rewind, controldata — as child processes whose output it reads (to log it, and to tell "no rewind
// required" from a rewind). The agent never links the engine (DESIGN.md): what it knows of a data
// directory it learns from these tools or over the wire protocol.

import Foundation
import Logging

struct MiniPGTool {
    let executable: String
    let logger: Logger

    struct Outcome: Sendable {
        var exitCode: Int32?        // nil: ended by a signal
        var exitDescription: String
        var output: String
        var succeeded: Bool { exitCode == 0 }
        /// The last non-empty line: the error a failed tool printed.
        var lastLine: String {
            output.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
                .map(String.init) ?? exitDescription
        }
    }

    /// Runs `minipg arguments…` to completion (off the cooperative pool) and returns what it printed.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        let executable = self.executable
        logger.debug("running minipg \(arguments.joined(separator: " "))")
        return try await onDedicatedThread {
            let child = try ChildProcess.spawn(executable, arguments, environment: environment, output: .pipe)
            let output = child.readAllOutputAndWait()
            return Outcome(exitCode: child.exitCode, exitDescription: child.exitDescription ?? "exited", output: output)
        }
    }

    /// `minipg controldata -D dir`: label → value, as pg_controldata prints them.
    func controlData(dataDirectory: String) async -> [String: String]? {
        guard let outcome = try? await run(["controldata", "-D", dataDirectory]), outcome.succeeded else { return nil }
        var values: [String: String] = [:]
        for line in outcome.output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}
