// /config over real HTTP: GET, PATCH as a JSON merge patch with compare-and-set on the key's revision,
// PUT as a replacement — and the codes for an absent key and for a concurrent edit.
import Foundation
import Synchronization
import Testing
@testable import HA

/// The in-memory store, plus one scripted concurrent edit: the next compare-and-set on `key` finds that
/// someone else wrote the key between the caller's read and its write — as a second `ctl edit-config` would.
final class ConcurrentEditStore: KeyValueStore {
    let base: InMemoryKeyValueStore
    private let pendingEdit = Mutex<(key: String, value: String)?>(nil)

    init(base: InMemoryKeyValueStore) { self.base = base }

    func editBeforeNextCommit(key: String, value: String) { pendingEdit.withLock { $0 = (key, value) } }

    func commit(_ transaction: Transaction) async throws -> Bool {
        let edit = pendingEdit.withLock { pending -> (key: String, value: String)? in
            guard let edit = pending, transaction.compares.contains(where: { compare in
                if case .modRevision(let key, _) = compare { return key == edit.key }
                return false
            }) else { return nil }
            pending = nil
            return edit
        }
        if let edit { try await base.put(key: edit.key, value: edit.value, lease: 0) }
        return try await base.commit(transaction)
    }

    func range(prefix: String) async throws -> RangeResult { try await base.range(prefix: prefix) }
    func get(key: String) async throws -> KeyValue? { try await base.get(key: key) }
    func put(key: String, value: String, lease: LeaseID) async throws -> Int64 {
        try await base.put(key: key, value: value, lease: lease)
    }
    func delete(prefix: String) async throws -> Int { try await base.delete(prefix: prefix) }
    func grantLease(ttl: Int) async throws -> LeaseID { try await base.grantLease(ttl: ttl) }
    func keepAlive(lease: LeaseID) async throws -> Int? { try await base.keepAlive(lease: lease) }
    func revokeLease(_ lease: LeaseID) async throws { try await base.revokeLease(lease) }
    func watch(prefix: String, fromRevision: Int64, timeout: Duration) async throws -> [WatchEvent] {
        try await base.watch(prefix: prefix, fromRevision: fromRevision, timeout: timeout)
    }
}

@Suite struct RESTConfigTests {
    let clock = ManualClock()

    func agent(store: any KeyValueStore) -> FakeAgent {
        FakeAgent(name: "patroni1", store: store, clock: clock, status: .primary())
    }

    @Test func absentConfigIs502OnGetAnd503OnPatch() async throws {
        let agent = agent(store: InMemoryKeyValueStore(clock: clock))
        try await RESTTestServer.with(agent) { server async throws in
            #expect(try await server.send(.GET, "/config").status == 502)
            #expect(try await server.send(.PATCH, "/config", json: #"{"ttl":40}"#).status == 503)
            #expect(agent.current.wakeUps == 0)
        }
    }

    @Test func patchMergesDeletesWithNullAndWakesTheLoop() async throws {
        let store = InMemoryKeyValueStore(clock: clock)
        let agent = agent(store: store)
        let initial = #"{"loop_wait":10,"postgresql":{"parameters":{"max_connections":100,"work_mem":"4MB"}},"ttl":30}"#
        try await store.put(key: "/service/demo/config", value: initial, lease: 0)
        try await RESTTestServer.with(agent) { server async throws in
            let get = try await server.send(.GET, "/config")
            #expect(get.status == 200 && get.body == initial)
            let patch = try await server.send(.PATCH, "/config", json:
                #"{"ttl":40,"loop_wait":null,"postgresql":{"parameters":{"max_connections":150}}}"#)
            let merged = #"{"postgresql":{"parameters":{"max_connections":150,"work_mem":"4MB"}},"ttl":40}"#
            #expect(patch.status == 200)
            #expect(patch.body == merged)
            #expect(try await store.get(key: "/service/demo/config")?.value == merged)
            #expect(agent.current.wakeUps == 1)

            let tooShort = try await server.send(.PATCH, "/config", json: #"{"ttl":20}"#)
            #expect(tooShort.status == 400)
            #expect(tooShort.body.hasPrefix("invalid configuration: "))
            #expect(tooShort.body.hasSuffix("; /config was not changed"))
            #expect(try await store.get(key: "/service/demo/config")?.value == merged)
            #expect(try await server.send(.PUT, "/config", json: #"{"ttl":"thirty"}"#).status == 400)
            #expect(try await server.send(.PATCH, "/config", json: "[1,2]").status == 400)
            #expect(try await server.send(.PATCH, "/config", json: "{}").status == 400)
            #expect(try await server.send(.PATCH, "/config", json: "{not json").status == 400)
        }
    }

    @Test func aConcurrentEditBetweenReadAndWriteIs409AndKeepsTheOtherEdit() async throws {
        let base = InMemoryKeyValueStore(clock: clock)
        let store = ConcurrentEditStore(base: base)
        let agent = agent(store: store)
        try await base.put(key: "/service/demo/config", value: #"{"ttl":30}"#, lease: 0)
        store.editBeforeNextCommit(key: "/service/demo/config", value: #"{"ttl":40}"#)
        try await RESTTestServer.with(agent) { server async throws in
            let reply = try await server.send(.PATCH, "/config", json: #"{"ttl":50}"#)
            #expect(reply.status == 409)
            #expect(reply.body.contains("changed concurrently"))
            #expect(try await base.get(key: "/service/demo/config")?.value == #"{"ttl":40}"#)
            #expect(try await server.send(.PATCH, "/config", json: #"{"ttl":50}"#).status == 200)
            #expect(try await base.get(key: "/service/demo/config")?.value == #"{"ttl":50}"#)
        }
    }

    @Test func putReplacesTheWholeDocument() async throws {
        let store = InMemoryKeyValueStore(clock: clock)
        let agent = agent(store: store)
        try await store.put(key: "/service/demo/config", value: #"{"pause":true,"ttl":30}"#, lease: 0)
        try await RESTTestServer.with(agent) { server async throws in
            let reply = try await server.send(.PUT, "/config", json: #"{"loop_wait":5,"ttl":25}"#)
            #expect(reply.status == 200 && reply.body == #"{"loop_wait":5,"ttl":25}"#)
            #expect(try await store.get(key: "/service/demo/config")?.value == #"{"loop_wait":5,"ttl":25}"#)
        }
    }
}
