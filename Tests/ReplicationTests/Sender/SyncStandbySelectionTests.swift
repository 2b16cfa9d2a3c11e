// synchronous_standby_names and the choice of synchronous standbys, as pure functions over WAL
// sender states (PostgreSQL's syncrep semantics: FIRST n by list order, ANY n as a quorum).
import PGWire
import Testing
import WAL
@testable import Replication

@Suite struct SyncStandbySelectionTests {
    private func standby(_ pid: Int32, _ name: String, flush: UInt64, streaming: Bool = true) -> WALSenderStatus {
        var status = WALSenderStatus(pid: pid, userOID: 10, userName: "replicator", applicationName: name,
                                     clientAddress: "127.0.0.1", clientPort: 5000, backendStart: 0)
        status.state = streaming ? .streaming : .startup
        status.write = LSN(flush + 10)
        status.flush = LSN(flush)
        status.replay = LSN(flush > 5 ? flush - 5 : 0)
        return status
    }

    @Test func settingSyntaxes() throws {
        #expect(try SyncStandbyNames.parse("") == nil)
        #expect(try SyncStandbyNames.parse("*") == SyncStandbyNames(method: .priority, count: 1, names: ["*"]))
        #expect(try SyncStandbyNames.parse("a, b") == SyncStandbyNames(method: .priority, count: 1, names: ["a", "b"]))
        #expect(try SyncStandbyNames.parse("2 (a, b, c)") == SyncStandbyNames(method: .priority, count: 2, names: ["a", "b", "c"]))
        #expect(try SyncStandbyNames.parse("FIRST 2 (a, \"B\")") == SyncStandbyNames(method: .priority, count: 2, names: ["a", "B"]))
        #expect(try SyncStandbyNames.parse("any 1 (node2, node3)") == SyncStandbyNames(method: .quorum, count: 1, names: ["node2", "node3"]))
        #expect(throws: PGError.self) { try SyncStandbyNames.parse("FIRST 2 (a, b") }
        #expect(throws: PGError.self) { try SyncStandbyNames.parse("a,,b") }
    }

    @Test func firstNPicksTheEarliestListedStreamingStandbys() throws {
        let names = try #require(try SyncStandbyNames.parse("FIRST 1 (node2, node3)"))
        let senders = [standby(1, "node3", flush: 300), standby(2, "node2", flush: 200), standby(3, "other", flush: 900)]
        let states = SyncStandbySelection.states(senders, names: names)
        #expect(states[2]! == (1, "sync"))
        #expect(states[1]! == (2, "potential"))
        #expect(states[3]! == (0, "async"))
        #expect(SyncStandbySelection.confirmedPosition(senders, names: names, position: .flush) == LSN(200))
        #expect(SyncStandbySelection.confirmedPosition(senders, names: names, position: .write) == LSN(210))
        // node2 stops streaming: node3 becomes the synchronous one.
        let failedOver = [standby(1, "node3", flush: 300), standby(2, "node2", flush: 200, streaming: false)]
        #expect(SyncStandbySelection.states(failedOver, names: names)[1]! == (2, "sync"))
        #expect(SyncStandbySelection.confirmedPosition(failedOver, names: names, position: .flush) == LSN(300))
    }

    @Test func tooFewSynchronousStandbysConfirmNothing() throws {
        let names = try #require(try SyncStandbyNames.parse("FIRST 2 (*)"))
        #expect(SyncStandbySelection.confirmedPosition([standby(1, "a", flush: 100)], names: names, position: .flush) == nil)
        let quorum = try #require(try SyncStandbyNames.parse("ANY 2 (a, b, c)"))
        #expect(SyncStandbySelection.confirmedPosition([standby(1, "a", flush: 100)], names: quorum, position: .flush) == nil)
    }

    @Test func anyNWaitsForTheNthBestStandby() throws {
        let names = try #require(try SyncStandbyNames.parse("ANY 2 (a, b, c)"))
        let senders = [standby(1, "a", flush: 100), standby(2, "b", flush: 300), standby(3, "c", flush: 200)]
        #expect(SyncStandbySelection.confirmedPosition(senders, names: names, position: .flush) == LSN(200))
        #expect(SyncStandbySelection.states(senders, names: names).values.allSatisfy { $0 == (1, "quorum") })
        #expect(SyncStandbySelection.states(senders, names: nil)[1]! == (0, "async"))
    }
}
