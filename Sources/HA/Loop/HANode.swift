// The composition root of one HA node (what `minipg node -c patroni1.yml` runs): etcd client, cluster
// store, server supervisor, peer status client, the agent and its REST API, built from the node's YAML
// configuration and torn down in reverse order.
//
// Shutdown (a stop request, e.g. SIGTERM): the agent finishes its cycle, stops the server fast and
// releases the leader lock if it holds it; then the REST API closes and the clients are shut down.
import AsyncHTTPClient
import Logging

public struct HANode: Sendable {
    public let configuration: NodeConfiguration
    let logger: Logger

    public init(configuration: NodeConfiguration, logger: Logger = Logger(label: "minipg.node")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the node until the first element of `stopRequests` (a description of why), or until the agent
    /// refuses to go on (it throws then, e.g. on a system identifier mismatch).
    public func run(until stopRequests: AsyncStream<String>) async throws {
        let dynamic = configuration.bootstrapDynamicConfig
        let hosts = configuration.etcdHosts.map(\.description)
        let retryTimeout = Duration.seconds(dynamic.retryTimeout)
        let etcd = try EtcdKeyValueStore(
            hosts: hosts,
            requestTimeout: EtcdKeyValueStore.patroniRequestTimeout(retryTimeout: retryTimeout, hostCount: hosts.count),
            retryTimeout: retryTimeout)
        let peerClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                    configuration: HTTPPeerStatusFetcher.clientConfiguration)
        let agent = HAAgent(settings: AgentSettings(configuration),
                            clusterStore: ClusterStore(store: etcd, namespace: configuration.namespace,
                                                       scope: configuration.scope, memberName: configuration.name),
                            controller: ProcessPostgresController(settings: processSettings),
                            peerFetcher: HTTPPeerStatusFetcher(client: peerClient),
                            logger: Logger(label: "minipg.ha"))
        let rest = RESTServer(host: configuration.restAPI.listen.host, port: configuration.restAPI.listen.port,
                              agent: agent,
                              authentication: configuration.restAPI.authentication.map {
                                  RESTAuthentication(username: $0.username, password: $0.password ?? "")
                              },
                              logger: Logger(label: "minipg.rest"))
        let outcome: Result<Void, any Error>
        do {
            if let members = try? await etcd.discoverMembers() {
                logger.info("etcd members: \(members.joined(separator: ", "))")
            }
            try await rest.start()
            let loop = Task { try await agent.run() }
            let stopper = Task {
                for await reason in stopRequests {
                    logger.info("\(reason): shutting down")
                    await agent.shutdown()
                    return
                }
            }
            outcome = await loop.result
            stopper.cancel()
        } catch {
            outcome = .failure(error)
        }
        try? await rest.shutdown()
        try? await peerClient.shutdown()
        try? await etcd.shutdown()
        try outcome.get()
    }

    /// What the server supervisor needs from the YAML file.
    private var processSettings: PostgresProcessSettings {
        let postgresql = configuration.postgresql
        return PostgresProcessSettings(
            memberName: configuration.name, dataDirectory: postgresql.dataDirectory,
            listenAddresses: postgresql.listen.host, port: postgresql.listen.port,
            superuser: .init(username: postgresql.superuser.username, password: postgresql.superuser.password),
            replication: .init(username: postgresql.replication.username, password: postgresql.replication.password))
    }
}
