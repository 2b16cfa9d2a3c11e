// Runs the HTTP checks: one loop per backend per role, `GET <check_url>/primary` or `/replica` with the
// check timeout, its result fed to the routing table, which answers with the delay until the next
// check (inter or fastinter, see CheckStateMachine). Checks of different backends run independently,
// so one agent that hangs until the timeout does not delay the verdict on the others.
//
// All loops check once as soon as they start: the first answer decides the initial state, so the
// proxy routes within one round trip of starting.

import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import Synchronization

public final class HealthChecker: Sendable {
    private let table: RoutingTable
    private let httpClient: HTTPClient
    private let loops = Mutex<[Task<Void, Never>]>([])

    public init(table: RoutingTable, group: EventLoopGroup) {
        self.table = table
        var configuration = HTTPClient.Configuration()
        let timeout = TimeAmount.nanoseconds(Int64(table.configuration.check.timeout / .nanoseconds(1)))
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: timeout, read: timeout)
        configuration.redirectConfiguration = .disallow
        // A dead agent refuses the connection: that is the check's answer. With reconnect attempts the
        // pool retried until the timeout, so every check of a dead leader took the whole timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.httpClient = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }

    public func start() {
        var started: [Task<Void, Never>] = []
        for role in table.roles {
            for index in table.configuration.backends.indices {
                started.append(Task { [table, httpClient] in
                    await Self.checkLoop(role: role, backend: index, table: table, client: httpClient)
                })
            }
        }
        loops.withLock { $0 += started }
    }

    public func shutdown() async {
        let running = loops.withLock { loops in
            defer { loops = [] }
            return loops
        }
        for loop in running { loop.cancel() }
        for loop in running { await loop.value }
        try? await httpClient.shutdown()
    }

    private static func checkLoop(role: BackendRole, backend index: Int, table: RoutingTable, client: HTTPClient) async {
        let url = table.configuration.backends[index].checkURL + role.healthCheckPath
        let timeout = table.configuration.check.timeout
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let started = clock.now
            let result = await check(url: url, timeout: timeout, client: client)
            if Task.isCancelled { return }
            let elapsed = clock.now - started
            let delay = table.record(result, role: role, backend: index, duration: elapsed)
            try? await Task.sleep(until: started + delay, clock: clock)
        }
    }

    /// One check: 200 passes; any other status, a timeout or a connection failure fails.
    static func check(url: String, timeout: Duration, client: HTTPClient) async -> CheckResult {
        let request = HTTPClientRequest(url: url)
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            _ = try await response.body.collect(upTo: 1 << 16)
            return response.status == .ok ? .passed : .httpStatus(Int(response.status.code))
        } catch {
            return classify(error)
        }
    }

    static func classify(_ error: Error) -> CheckResult {
        if let error = error as? HTTPClientError,
           [.deadlineExceeded, .connectTimeout, .readTimeout].contains(error) {
            return .timeout
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return .connectionRefused }
        if let error = error as? NIOConnectionError,
           error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
            return .connectionRefused
        }
        return .failed("\(error)")
    }
}
