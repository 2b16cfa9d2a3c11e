// BoundedSession: one short SQL conversation with the agent's own server, bounded in time. PGWire's
// client is blocking; the conversation runs on its own thread, and a watchdog shuts the socket down
// when the deadline passes, so a server that accepts the connection and then hangs (stuck in a lock,
// or SIGSTOPped) costs the HA loop at most `timeout`, never a whole cycle.
//
// Also the place where the agent's blocking work (waiting for a process, reading a tool's output)
// leaves Swift's cooperative thread pool: `onDedicatedThread`.

import Dispatch
import Foundation
import PGWire

struct PostgresControllerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking `body` on a thread of its own and resumes the caller when it returns.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

enum BoundedSession {
    /// Connects as `configuration` says and runs `body`; the whole conversation ends by `timeout`.
    /// At the deadline the caller gets an error at once; the socket is shut down so the thread ends
    /// too, or, while still in the startup handshake, ends when the server answers or goes away.
    static func run<T: Sendable>(_ configuration: PGClientConfiguration, timeout: Duration,
                                 _ body: @escaping @Sendable (PGClientConnection) throws -> T) async throws -> T {
        var configured = configuration
        configured.connectTimeout = min(configuration.connectTimeout, timeout)
        let bounded = configured
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let outcome = OneShot<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.continuation = continuation
            Thread.detachNewThread {
                outcome.resume(with: Result {
                    let connection = try PGClientConnection.connect(bounded)
                    outcome.attach(connection)
                    defer {
                        outcome.detach()
                        connection.close()
                    }
                    return try body(connection)
                })
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                outcome.resume(with: .failure(PostgresControllerError("no answer within \(timeout)")))
            }
        }
    }

    /// Rows of a one-statement query as [column: text], NULL as a missing key.
    static func rows(_ connection: PGClientConnection, _ sql: String) throws -> [[String: String]] {
        try results(connection, [sql])[0]
    }

    /// The rows of each statement, sent together as one simple query (one round trip).
    static func results(_ connection: PGClientConnection, _ statements: [String]) throws -> [[[String: String]]] {
        let results = try connection.simpleQuery(statements.joined(separator: ";\n"))
        guard results.count == statements.count else {
            throw PostgresControllerError("expected \(statements.count) results, the server sent \(results.count)")
        }
        return results.map(rows(of:))
    }

    private static func rows(of result: PGQueryResult) -> [[String: String]] {
        result.rows.indices.map { row in
            var values: [String: String] = [:]
            for column in result.columns {
                if let text = result.text(row: row, column.name) { values[column.name] = text }
            }
            return values
        }
    }
}

/// Resumes the caller once: with the conversation's result, or with a timeout error (then it also
/// interrupts the connection, which makes the blocked thread return).
private final class OneShot<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: CheckedContinuation<T, any Error>?
    private var liveConnection: PGClientConnection?
    private var finished = false

    var continuation: CheckedContinuation<T, any Error>? {
        get { lock.withLock { pending } }
        set { lock.withLock { pending = newValue } }
    }

    /// The connection the deadline may interrupt; interrupted at once if the deadline already passed.
    /// Interrupts happen under the lock and only while attached, never on a closed (reused) descriptor.
    func attach(_ connection: PGClientConnection) {
        lock.withLock {
            liveConnection = connection
            if finished { connection.interrupt() }
        }
    }

    func detach() {
        lock.withLock { liveConnection = nil }
    }

    func resume(with result: Result<T, any Error>) {
        let waiting = lock.withLock { () -> CheckedContinuation<T, any Error>? in
            guard !finished else { return nil }
            finished = true
            if case .failure = result { liveConnection?.interrupt() }
            defer { pending = nil }
            return pending
        }
        waiting?.resume(with: result)
    }
}
