// `minipg proxy`: the composition of one routing table, its health checker, a listener per role and
// the stats page, all on one event loop group. `start` binds everything and begins checking; `stop`
// closes the listeners (sessions in flight are cut with them) and the checker.

import Logging
import NIOCore
import NIOPosix

public final class ProxyService: Sendable {
    public let table: RoutingTable
    private let group: MultiThreadedEventLoopGroup
    private let checker: HealthChecker
    private let logger: Logger
    private let listeners: [ProxyListener]
    private let stats: StatsServer?

    private init(table: RoutingTable, group: MultiThreadedEventLoopGroup, checker: HealthChecker, logger: Logger,
                 listeners: [ProxyListener], stats: StatsServer?) {
        self.table = table
        self.group = group
        self.checker = checker
        self.logger = logger
        self.listeners = listeners
        self.stats = stats
    }

    /// Binds the listeners and the stats page, then starts the checks. Throws if a port cannot be bound.
    public static func start(configuration: ProxyConfiguration, logger: Logger) async throws -> ProxyService {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let table = RoutingTable(configuration: configuration, logger: logger)
        var listeners: [ProxyListener] = []
        var stats: StatsServer?
        do {
            for (role, endpoint) in configuration.listeners {
                listeners.append(try await ProxyListener.bind(role: role, endpoint: endpoint, table: table,
                                                              group: group, logger: logger))
            }
            if let endpoint = configuration.statsListener {
                stats = try await StatsServer.bind(endpoint: endpoint, table: table, group: group, logger: logger)
            }
        } catch {
            for listener in listeners { await listener.close() }
            try? await group.shutdownGracefully()
            throw error
        }
        let checker = HealthChecker(table: table, group: group)
        checker.start()
        let backends = configuration.backends.map { "\($0.name) (\($0.address), checks \($0.checkURL))" }
        logger.info("proxy started with \(backends.count) backend(s): \(backends.joined(separator: ", "))")
        return ProxyService(table: table, group: group, checker: checker, logger: logger, listeners: listeners, stats: stats)
    }

    /// The port a listener actually bound (useful with port 0 in tests).
    public func port(of role: BackendRole) -> Int? {
        listeners.first { $0.role == role }?.localAddress?.port
    }

    public var statsPort: Int? { stats?.localAddress?.port }

    public func stop() async {
        for listener in listeners { await listener.close() }
        await stats?.close()
        await checker.shutdown()
        try? await group.shutdownGracefully()
        logger.info("proxy stopped")
    }
}
