// ReplicationWiring: builds the primary side of streaming replication for one instance — the
// replication slots (loaded from pg_replslot/), the WAL sender registry, the checkpoint's WAL
// retention (slots + wal_keep_size), the VACUUM horizon that standbys' hot-standby feedback holds
// back — the WALSenderEnvironment every replication connection gets, and the views
// pg_stat_replication / pg_replication_slots.

import Foundation
import Logging
import Replication
import SQLMini
import Storage
import WAL

enum ReplicationWiring {
    static func environment(storage: StorageEngine, settings: ServerSettings, logger: Logger) throws -> WALSenderEnvironment {
        let slots = try ReplicationSlots(dataDirectory: storage.dataDirectory, maximum: settings.maxReplicationSlots)
        let keepBytes = settings.walKeepSizeBytes
        storage.setWALRetention(SlotWALRetention(slots: slots, walKeepSizeBytes: { keepBytes },
                                                 logger: ReplicationLog.logger("slots")))
        let timeoutMilliseconds = (try? settings.value("wal_sender_timeout")).flatMap { value -> Int64? in
            if case .integer(let milliseconds) = value { return milliseconds }
            return nil
        } ?? 60_000
        var environment = WALSenderEnvironment(
            dataDirectory: storage.dataDirectory, systemIdentifier: storage.control.systemIdentifier,
            segmentSize: storage.configuration.wal.segmentSize,
            wal: { storage.isInRecovery ? nil : storage.wal },   // a standby does not stream (no cascading)
            show: { name in try? settings.show(name.lowercased()) },
            lastCheckpointRedo: { storage.control.redoLSN },
            walSenderTimeout: .milliseconds(timeoutMilliseconds),
            slots: slots, senders: WALSenders(maximum: settings.maxWALSenders),
            startBackup: { try backupCheckpoint(storage) })
        let senders = environment.senders
        environment.feedbackXminChanged = { holdHorizonForStandbys(storage, senders: senders, slots: slots) }
        holdHorizonForStandbys(storage, senders: senders, slots: slots)   // slots saved with an xmin
        return environment
    }

    /// hot_standby_feedback: the oldest xmin a connected standby (or a slot) reported holds back
    /// what VACUUM and pruning may remove on this primary, so standby queries keep their rows.
    private static func holdHorizonForStandbys(_ storage: StorageEngine, senders: WALSenders, slots: ReplicationSlots) {
        let xmins = senders.all.compactMap(\.backendXmin) + slots.all.map(\.xmin).filter { $0 != 0 }
        storage.snapshots.setReplicaXmin(xmins.min().map(TransactionID.init))
    }

    /// A forced checkpoint and the pg_control bytes it wrote. The control file changes in memory
    /// before it is written, so bytes read between two equal in-memory checkpoint LSNs are that
    /// checkpoint's; a checkpoint racing in between makes it read again.
    private static func backupCheckpoint(_ storage: StorageEngine) throws -> BackupStart {
        let path = storage.dataDirectory + "/global/pg_control"
        while true {
            try storage.checkpoint(reason: .manual)
            let before = storage.control
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let after = storage.control
            if before.checkpointLSN == after.checkpointLSN {
                return BackupStart(redo: before.redoLSN, checkpoint: before.checkpointLSN, timeline: before.timeline,
                                   controlFile: bytes)
            }
        }
    }

    /// pg_stat_replication and pg_replication_slots on `database`, fed by `environment`, and the
    /// synchronous replication wait of its commits.
    static func registerViews(on database: Database, environment: WALSenderEnvironment) {
        let names: @Sendable () -> SyncStandbyNames? = { [weak database] in
            guard let text = database?.settings.synchronousStandbyNames, !text.isEmpty else { return nil }
            return try? SyncStandbyNames.parse(text)
        }
        database.engine.register(systemRelation: PgStatReplication(senders: environment.senders, synchronousStandbyNames: names))
        database.engine.register(systemRelation: PgReplicationSlots(slots: environment.slots))
        database.synchronousReplication = SynchronousReplication(
            syncRep: SyncRep(senders: environment.senders, wal: environment.wal, names: names))
    }
}
