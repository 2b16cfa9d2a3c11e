// ReplicationSlots: the physical replication slots of one server (PostgreSQL's slot.c).
//
// A slot remembers how far a standby has safely flushed WAL (restart_lsn), so that checkpoints
// keep every segment from there on even while the standby is disconnected, and the xmin its hot
// standby feedback reported. Persistent slots live in pg_replslot/ (SlotDirectory); temporary ones
// only in memory and vanish with the connection that made them. A slot is used by at most one WAL
// sender at a time (active_pid).
//
// Durability as in PostgreSQL: create and drop are written at once; advancing restart_lsn only
// marks the slot dirty, and dirty slots are saved at each checkpoint (saveDirty) and when the WAL
// sender releases the slot — so after a crash restart_lsn may be a little behind, never ahead.

import Synchronization
import PGWire
import WAL

public struct ReplicationSlotStatus: Sendable, Equatable {
    public var name: String
    public var temporary: Bool
    public var activePID: Int32?
    public var restartLSN: LSN?
    public var restartTimeline: TimelineID?
    /// Hot standby feedback's xmin (0 = none).
    public var xmin: UInt32
}

public final class ReplicationSlots: Sendable {
    /// max_replication_slots' default.
    public static let defaultMaximum = 10
    /// NAMEDATALEN - 1.
    static let maximumNameLength = 63

    private struct Slot {
        var status: ReplicationSlotStatus
        var dirty = false
    }

    private let directory: SlotDirectory
    private let maximum: Int
    private let slots: Mutex<[String: Slot]>
    /// WAL held by running base backups (by WAL sender pid): from their start to their end.
    private let backupHolds = Mutex<[Int32: LSN]>([:])

    /// Loads the persistent slots of a data directory.
    public init(dataDirectory: String, maximum: Int = ReplicationSlots.defaultMaximum) throws(PGError) {
        directory = SlotDirectory(dataDirectory: dataDirectory)
        self.maximum = maximum
        var loaded: [String: Slot] = [:]
        for state in try directory.loadAll() {
            loaded[state.name] = Slot(status: ReplicationSlotStatus(
                name: state.name, temporary: false, activePID: nil,
                restartLSN: state.restartLSN.isValid ? state.restartLSN : nil,
                restartTimeline: state.restartLSN.isValid ? state.restartTimeline : nil, xmin: state.xmin))
        }
        slots = Mutex(loaded)
    }

    /// Every slot, sorted by name (pg_replication_slots).
    public var all: [ReplicationSlotStatus] {
        slots.withLock { $0.values.map(\.status) }.sorted { $0.name < $1.name }
    }

    public func slot(named name: String) -> ReplicationSlotStatus? {
        slots.withLock { $0[name]?.status }
    }

    /// The oldest restart_lsn of all slots and running base backups: WAL from there on must be kept.
    public var oldestRestartLSN: LSN? {
        let slotMinimum = slots.withLock { $0.values.compactMap(\.status.restartLSN).min() }
        let backupMinimum = backupHolds.withLock { $0.values.min() }
        return [slotMinimum, backupMinimum].compactMap { $0 }.min()
    }

    /// BASE_BACKUP: keeps the WAL from `lsn` until releaseBackupHold, so the backup can include it.
    public func holdForBackup(pid: Int32, from lsn: LSN) {
        backupHolds.withLock { $0[pid] = lsn }
    }

    public func releaseBackupHold(pid: Int32) {
        backupHolds.withLock { $0[pid] = nil }
    }

    /// CREATE_REPLICATION_SLOT: a temporary slot belongs to `ownerPID` (it is active for it).
    public func create(name: String, temporary: Bool, reserveAt restart: (LSN, TimelineID)?,
                       ownerPID: Int32) throws(PGError) {
        try Self.validate(name)
        let status = ReplicationSlotStatus(name: name, temporary: temporary, activePID: temporary ? ownerPID : nil,
                                           restartLSN: restart?.0, restartTimeline: restart?.1, xmin: 0)
        try slots.withLock { (all: inout [String: Slot]) throws(PGError) in
            guard all[name] == nil else {
                throw PGError(sqlState: "42710", message: "replication slot \"\(name)\" already exists")
            }
            guard all.count < maximum else {
                throw PGError(sqlState: "53400", message: "all replication slots are in use",
                              hint: "Free one or increase max_replication_slots.")
            }
            if !temporary { try directory.save(Self.stateFile(status)) }
            all[name] = Slot(status: status)
        }
    }

    /// DROP_REPLICATION_SLOT (pg_drop_replication_slot): not while another process uses it.
    public func drop(name: String, byPID pid: Int32) throws(PGError) {
        try slots.withLock { (all: inout [String: Slot]) throws(PGError) in
            guard let slot = all[name] else { throw Self.doesNotExist(name) }
            if let active = slot.status.activePID, active != pid {
                throw PGError(sqlState: "55006", message: "replication slot \"\(name)\" is active for PID \(active)")
            }
            if !slot.status.temporary { try directory.remove(name) }
            all[name] = nil
        }
    }

    /// START_REPLICATION SLOT name: marks it active for `pid`.
    public func acquire(name: String, pid: Int32) throws(PGError) -> ReplicationSlotStatus {
        try slots.withLock { (all: inout [String: Slot]) throws(PGError) -> ReplicationSlotStatus in
            guard var slot = all[name] else { throw Self.doesNotExist(name) }
            if let active = slot.status.activePID, active != pid {
                throw PGError(sqlState: "55006", message: "replication slot \"\(name)\" is active for PID \(active)")
            }
            slot.status.activePID = pid
            all[name] = slot
            return slot.status
        }
    }

    /// The standby reported it flushed up to `flushed`: restart_lsn follows (never backwards).
    public func advance(name: String, restartLSN flushed: LSN, timeline: TimelineID) {
        slots.withLock { all in
            guard var slot = all[name], flushed.isValid, flushed > (slot.status.restartLSN ?? .invalid) else { return }
            slot.status.restartLSN = flushed
            slot.status.restartTimeline = timeline
            slot.dirty = true
            all[name] = slot
        }
    }

    /// Hot standby feedback for the slot's standby.
    public func setXmin(name: String, xmin: UInt32) {
        slots.withLock { all in
            guard var slot = all[name], slot.status.xmin != xmin else { return }
            slot.status.xmin = xmin
            slot.dirty = true
            all[name] = slot
        }
    }

    /// The connection of `pid` ended: its temporary slots are dropped, the others released and saved.
    public func releaseAll(ownedBy pid: Int32) throws(PGError) {
        try slots.withLock { (all: inout [String: Slot]) throws(PGError) in
            for (name, var slot) in all where slot.status.activePID == pid {
                if slot.status.temporary {
                    all[name] = nil
                    continue
                }
                slot.status.activePID = nil
                if slot.dirty { try directory.save(Self.stateFile(slot.status)) }
                slot.dirty = false
                all[name] = slot
            }
        }
    }

    /// Checkpoint: saves every slot whose restart_lsn or xmin moved since it was last saved.
    public func saveDirty() throws(PGError) {
        try slots.withLock { (all: inout [String: Slot]) throws(PGError) in
            for (name, var slot) in all where slot.dirty && !slot.status.temporary {
                try directory.save(Self.stateFile(slot.status))
                slot.dirty = false
                all[name] = slot
            }
        }
    }

    /// PostgreSQL's ReplicationSlotValidateName.
    static func validate(_ name: String) throws(PGError) {
        if name.isEmpty {
            throw PGError(sqlState: "42602", message: "replication slot name \"\(name)\" is too short")
        }
        if name.utf8.count > maximumNameLength {
            throw PGError(sqlState: "42622", message: "replication slot name \"\(name)\" is too long")
        }
        guard name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else {
            throw PGError(sqlState: "42602", message: "replication slot name \"\(name)\" contains invalid character",
                          hint: "Replication slot names may only contain lower case letters, numbers, and the underscore character.")
        }
    }

    static func doesNotExist(_ name: String) -> PGError {
        PGError(sqlState: "42704", message: "replication slot \"\(name)\" does not exist")
    }

    private static func stateFile(_ status: ReplicationSlotStatus) -> SlotStateFile {
        SlotStateFile(name: status.name, restartLSN: status.restartLSN ?? .invalid,
                      restartTimeline: status.restartTimeline ?? TimelineID(0), xmin: status.xmin)
    }
}
