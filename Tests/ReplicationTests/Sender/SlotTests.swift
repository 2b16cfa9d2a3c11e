// Replication slots: the state file round trip with its checksum, persistence across a reload,
// temporary slots, names, and the WAL retention they impose on checkpoints.
import Foundation
import PGWire
import Testing
import WAL
@testable import Replication

@Suite struct SlotTests {
    private func temporaryDataDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("walsender-slots-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func stateFileRoundTripsAndRejectsCorruption() throws {
        let state = SlotStateFile(name: "standby_1", restartLSN: LSN(0x3_0000_1234), restartTimeline: TimelineID(2), xmin: 731)
        var bytes = state.encode()
        #expect(bytes.count == SlotStateFile.size)
        #expect(try SlotStateFile.decode(bytes, path: "state") == state)
        bytes[81] ^= 0x01
        #expect(throws: PGError.self) { try SlotStateFile.decode(bytes, path: "state") }
    }

    @Test func persistentSlotsSurviveAReloadAndTemporaryOnesDoNot() throws {
        let data = try temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let slots = try ReplicationSlots(dataDirectory: data)
        try slots.create(name: "kept", temporary: false, reserveAt: (LSN(0x100_0000), .first), ownerPID: 10)
        try slots.create(name: "gone", temporary: true, reserveAt: nil, ownerPID: 11)
        _ = try slots.acquire(name: "kept", pid: 12)
        slots.advance(name: "kept", restartLSN: LSN(0x200_0000), timeline: .first)
        slots.advance(name: "kept", restartLSN: LSN(0x180_0000), timeline: .first)   // never backwards
        #expect(throws: PGError(sqlState: "55006", message: "replication slot \"kept\" is active for PID 12")) {
            try slots.drop(name: "kept", byPID: 13)
        }
        try slots.releaseAll(ownedBy: 12)
        try slots.releaseAll(ownedBy: 11)
        #expect(slots.slot(named: "gone") == nil)

        let reloaded = try ReplicationSlots(dataDirectory: data)
        #expect(reloaded.all.map(\.name) == ["kept"])
        #expect(reloaded.slot(named: "kept")?.restartLSN == LSN(0x200_0000))
        #expect(reloaded.oldestRestartLSN == LSN(0x200_0000))
        try reloaded.drop(name: "kept", byPID: 14)
        #expect(try ReplicationSlots(dataDirectory: data).all.isEmpty)
    }

    @Test func slotNamesFollowPostgresRules() throws {
        let data = try temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let slots = try ReplicationSlots(dataDirectory: data, maximum: 1)
        #expect(throws: PGError.self) { try slots.create(name: "Upper", temporary: true, reserveAt: nil, ownerPID: 1) }
        #expect(throws: PGError.self) { try slots.create(name: String(repeating: "a", count: 64), temporary: true, reserveAt: nil, ownerPID: 1) }
        try slots.create(name: "a", temporary: true, reserveAt: nil, ownerPID: 1)
        #expect(throws: PGError(sqlState: "42710", message: "replication slot \"a\" already exists")) {
            try slots.create(name: "a", temporary: true, reserveAt: nil, ownerPID: 1)
        }
        #expect(throws: PGError.self) { try slots.create(name: "b", temporary: true, reserveAt: nil, ownerPID: 1) }
    }

    @Test func retentionKeepsWhatSlotsAndWalKeepSizeNeed() throws {
        let data = try temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let slots = try ReplicationSlots(dataDirectory: data)
        let none = SlotWALRetention(slots: slots, walKeepSizeBytes: { 0 }, logger: ReplicationLog.logger("test"))
        #expect(none.oldestLSNToKeep(checkpointRedo: LSN(0x500_0000), insertLSN: LSN(0x600_0000)) == nil)
        let keep = SlotWALRetention(slots: slots, walKeepSizeBytes: { 0x200_0000 }, logger: ReplicationLog.logger("test"))
        #expect(keep.oldestLSNToKeep(checkpointRedo: LSN(0x500_0000), insertLSN: LSN(0x600_0000)) == LSN(0x400_0000))
        try slots.create(name: "s", temporary: false, reserveAt: (LSN(0x100_0000), .first), ownerPID: 1)
        #expect(keep.oldestLSNToKeep(checkpointRedo: LSN(0x500_0000), insertLSN: LSN(0x600_0000)) == LSN(0x100_0000))
    }
}
