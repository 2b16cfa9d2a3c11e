// ClusterStore on a real 3-member etcd 3.4 on loopback, through EtcdKeyValueStore: the leader race between
// two agents, the lock's expiry with its lease, compare-and-set on /config, watches (wake-up, deletes,
// compaction), and failover between etcd members when the one in use is killed or frozen.
import Foundation
import Testing
@testable import HA

@Suite(.serialized, .enabled(if: EtcdTestCluster.isInstalled, EtcdTestCluster.notInstalled))
struct EtcdClusterStoreTests {
    /// Runs `body` with one store per host list; shuts every store down afterwards.
    func withStores<T>(_ hostLists: [[String]], requestTimeout: Duration = .seconds(2),
                       retryTimeout: Duration = .seconds(20),
                       _ body: ([EtcdKeyValueStore]) async throws -> T) async throws -> T {
        let stores = try hostLists.map {
            try EtcdKeyValueStore(hosts: $0, requestTimeout: requestTimeout, retryTimeout: retryTimeout)
        }
        do {
            let result = try await body(stores)
            for store in stores { try await store.shutdown() }
            return result
        } catch {
            for store in stores { try? await store.shutdown() }
            throw error
        }
    }

    func agent(_ name: String, _ store: EtcdKeyValueStore) -> ClusterStore {
        ClusterStore(store: store, scope: "demo", memberName: name)
    }

    @Test func onlyOneOfTwoAgentsOnDifferentMembersWinsEachLeaderRace() async throws {
        try await EtcdTestCluster.with { cluster in
            let hosts = cluster.hosts
            try await withStores([hosts, Array(hosts.reversed())]) { stores in
                let first = agent("patroni1", stores[0]), second = agent("patroni2", stores[1])
                #expect(stores[0].currentEndpoint != stores[1].currentEndpoint)
                try await first.refreshLease(ttl: 30)
                try await second.refreshLease(ttl: 30)
                for _ in 0..<5 {
                    async let firstWon = first.attemptToAcquireLeaderLock()
                    async let secondWon = second.attemptToAcquireLeaderLock()
                    let (one, two) = try await (firstWon, secondWon)
                    #expect(one != two)
                    let winner = one ? first : second, loser = one ? second : first
                    let lock = try #require(try await loser.load().leader)
                    #expect(lock.name == winner.memberName)
                    #expect(lock.lease == (await winner.currentLease))
                    #expect(try await winner.updateLeaderLock())
                    #expect(try await !loser.updateLeaderLock())
                    #expect(try await !loser.releaseLeaderLock())
                    #expect(try await winner.releaseLeaderLock())
                    #expect(try await loser.load().isUnlocked)
                }
            }
        }
    }

    @Test func theLeaderKeyExpiresWithItsLeaseAndTheWatchSeesIt() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts, cluster.hosts]) { stores in
                let first = agent("patroni1", stores[0]), second = agent("patroni2", stores[1])
                // etcd raises a TTL below its minimum (1.5 × election timeout, 2 s with the defaults) to it.
                try await first.refreshLease(ttl: 3)
                let expiring = await first.currentLease
                #expect(try await stores[0].keepAlive(lease: expiring) == 3)
                #expect(try await first.attemptToAcquireLeaderLock())
                try await second.refreshLease(ttl: 30)
                #expect(try await !second.attemptToAcquireLeaderLock())

                // patroni1 stops refreshing, as if its agent died; patroni2 waits on a watch.
                var view = try await second.load()
                while !view.isUnlocked {
                    _ = try await second.waitForChange(after: view.revision, timeout: .seconds(30))
                    view = try await second.load()
                }
                #expect(try await stores[0].keepAlive(lease: expiring) == nil)
                #expect(try await second.attemptToAcquireLeaderLock())

                // The old leader finds its lease gone, gets a new one, and cannot take the lock back.
                #expect(try await !first.refreshLease(ttl: 3))
                #expect(try await !first.updateLeaderLock())
                #expect(try await first.load().leader?.name == "patroni2")
                try await stores[0].revokeLease(expiring)   // already gone: not an error
                // etcd's own refusal is the answer, not a member failure: thrown at once, with etcd's words.
                let refused = await #expect(throws: DCSError.self) {
                    try await stores[0].put(key: "/service/demo/members/patroni1", value: "{}", lease: expiring)
                }
                #expect(refused?.description.contains("requested lease not found") == true)
            }
        }
    }

    @Test func configIsCompareAndSetOnItsModRevision() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts]) { stores in
                let ctl = agent("ctl", stores[0])
                let config = DynamicConfig(document: .object(["ttl": .int(30), "loop_wait": .int(10)]))
                #expect(try await ctl.setConfig(config, expectedRevision: 0))
                #expect(try await !ctl.setConfig(config, expectedRevision: 0))     // create-only: it exists now
                let view = try await ctl.load()
                #expect(view.effectiveConfig.ttl == 30)
                var edited = view.effectiveConfig
                edited.document = edited.document.merging(patch: .object(["ttl": .int(20)]))
                #expect(try await ctl.setConfig(edited, expectedRevision: view.configRevision))
                #expect(try await !ctl.setConfig(config, expectedRevision: view.configRevision))   // stale
                #expect(try await ctl.load().effectiveConfig.ttl == 20)
            }
        }
    }

    @Test func watchReturnsPutsAndDeletesFromTheGivenRevision() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts, cluster.hosts]) { stores in
                let watcher = stores[0], writer = stores[1]
                let prefix = "/service/demo/"
                let start = try await watcher.range(prefix: prefix).revision
                #expect(try await watcher.watch(prefix: prefix, fromRevision: start + 1, timeout: .seconds(1)).isEmpty)

                async let woken = watcher.watch(prefix: prefix, fromRevision: start + 1, timeout: .seconds(60))
                let written = try await writer.put(key: prefix + "config", value: "{}", lease: 0)
                try await writer.put(key: "/service/other/config", value: "{}", lease: 0)   // outside the prefix
                let events = try await woken
                #expect(events == [WatchEvent(kind: .put, keyValue: KeyValue(
                    key: prefix + "config", value: "{}", createRevision: written, modRevision: written))])

                #expect(try await writer.delete(prefix: prefix + "config") == 1)
                let deletes = try await watcher.watch(prefix: prefix, fromRevision: written + 1, timeout: .seconds(60))
                #expect(deletes.map(\.kind) == [.delete] && deletes.first?.keyValue.key == prefix + "config")
            }
        }
    }

    @Test func aWatchFromACompactedRevisionStillWakesTheCaller() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts]) { stores in
                let store = stores[0]
                let first = try await store.put(key: "/service/demo/status", value: "1", lease: 0)
                let last = try await store.put(key: "/service/demo/status", value: "2", lease: 0)
                try cluster.compact(revision: last)
                let events = try await store.watch(prefix: "/service/demo/", fromRevision: first, timeout: .seconds(60))
                #expect(events.map(\.keyValue.value) == ["2"])
            }
        }
    }

    @Test func aKilledMemberIsLeftForTheNextOne() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts]) { stores in
                let store = stores[0]
                try await store.put(key: "/service/demo/history", value: "[]", lease: 0)
                let used = try #require(cluster.index(ofClientURL: store.currentEndpoint))
                cluster.kill(used)
                #expect(try await store.get(key: "/service/demo/history")?.value == "[]")
                #expect(store.currentEndpoint != cluster.members[used].clientURL)
                let agentOnIt = agent("patroni1", store)
                try await agentOnIt.refreshLease(ttl: 30)
                #expect(try await agentOnIt.attemptToAcquireLeaderLock())
            }
        }
    }

    @Test func aStoreConfiguredWithOneMemberLearnsTheOthersAndFailsOverToThem() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([[cluster.hosts[0]]]) { stores in
                let store = stores[0]
                #expect(try await store.discoverMembers().sorted() == cluster.members.map(\.clientURL).sorted())
                try await store.put(key: "/service/demo/config", value: "{}", lease: 0)
                cluster.kill(0)
                #expect(try await store.get(key: "/service/demo/config")?.value == "{}")
            }
        }
    }

    @Test func aWatchWhoseMemberIsKilledResumesOnTheNextFromTheSameRevision() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts, Array(cluster.hosts.reversed())]) { stores in
                let watcher = stores[0], writer = stores[1]
                let revision = try await watcher.range(prefix: "/service/demo/").revision
                let used = try #require(cluster.index(ofClientURL: watcher.currentEndpoint))
                async let woken = watcher.watch(prefix: "/service/demo/", fromRevision: revision + 1, timeout: .seconds(60))
                cluster.kill(used)
                let written = try await writer.put(key: "/service/demo/leader", value: "patroni2", lease: 0)
                #expect(try await woken.map(\.keyValue.modRevision) == [written])
                #expect(watcher.currentEndpoint != cluster.members[used].clientURL)
            }
        }
    }

    @Test func aFrozenMemberIsLeftForTheNextOneAfterTheRequestTimeout() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts], requestTimeout: .seconds(1)) { stores in
                let store = stores[0]
                try await store.put(key: "/service/demo/initialize", value: "7421337", lease: 0)
                let used = try #require(cluster.index(ofClientURL: store.currentEndpoint))
                cluster.freeze(used)
                defer { cluster.thaw(used) }
                try await store.put(key: "/service/demo/history", value: "[]", lease: 0)
                #expect(try await store.get(key: "/service/demo/initialize")?.value == "7421337")
                #expect(store.currentEndpoint != cluster.members[used].clientURL)
                // A watch started after the freeze also goes to a live member and sees the next change.
                let revision = try await store.range(prefix: "/service/demo/").revision
                async let woken = store.watch(prefix: "/service/demo/", fromRevision: revision + 1, timeout: .seconds(60))
                try await store.put(key: "/service/demo/status", value: "{}", lease: 0)
                #expect(try await woken.map(\.keyValue.key) == ["/service/demo/status"])
            }
        }
    }

    @Test func withEveryMemberDownTheErrorNamesEachEndpoint() async throws {
        try await EtcdTestCluster.with { cluster in
            try await withStores([cluster.hosts], requestTimeout: .seconds(1), retryTimeout: .seconds(3)) { stores in
                for index in cluster.members.indices { cluster.kill(index) }
                let error = await #expect(throws: DCSError.self) { try await stores[0].range(prefix: "/service/demo/") }
                for member in cluster.members { #expect(error?.description.contains(member.clientURL) == true) }
                await #expect(throws: DCSError.self) {
                    try await stores[0].watch(prefix: "/service/demo/", fromRevision: 1, timeout: .seconds(1))
                }
            }
        }
    }
}
