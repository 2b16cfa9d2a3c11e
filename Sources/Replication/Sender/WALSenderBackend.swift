// WALSenderBackend: the QueryBackend of a replication connection (PostgreSQL's walsender.c
// exec_replication_command). Only the simple query protocol: each query is one replication
// command (ReplicationCommand); on a `replication=database` connection anything else is SQL and
// goes to the ordinary session backend, on a physical one (`replication=true`) it is refused.
//
// The connection is registered in WALSenders for its whole life (state `startup` until
// START_REPLICATION streams). Its temporary slots are dropped and its slot released when it ends.

#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGWire
import WAL

public final class WALSenderBackend: QueryBackend {
    private let environment: WALSenderEnvironment
    private let pid: Int32
    /// The database of a `replication=database` connection (IDENTIFY_SYSTEM's dbname), else nil.
    private let database: String?
    /// Where SQL goes on a `replication=database` connection.
    private let sqlBackend: QueryBackend?
    private var logger = ReplicationLog.logger("walsender")

    /// Registers the connection; FATAL 53300 when max_wal_senders are already running.
    public init(environment: WALSenderEnvironment, status: WALSenderStatus, database: String?,
                sqlBackend: QueryBackend?) throws(PGError) {
        self.environment = environment
        self.pid = status.pid
        self.database = database
        self.sqlBackend = sqlBackend
        logger[metadataKey: "pid"] = "\(status.pid)"
        logger[metadataKey: "application_name"] = "\(status.applicationName)"
        try environment.senders.register(status)
    }

    public var transactionState: TransactionState { sqlBackend?.transactionState ?? .idle }

    public func simpleQuery(_ sql: String, _ out: BackendOutput) {
        do throws(PGError) {
            guard let command = try ReplicationCommand.parse(sql) else {
                if let sqlBackend { return sqlBackend.simpleQuery(sql, out) }
                if sql.allSatisfy({ $0.isWhitespace || $0 == ";" }) { return out.emptyQueryResponse() }
                throw PGError(sqlState: "XX000", message: "cannot execute SQL commands in WAL sender for physical replication")
            }
            logger.debug("received replication command: \(sql)")
            try run(command, out)
        } catch {
            out.error(error)
        }
    }

    private func run(_ command: ReplicationCommand, _ out: BackendOutput) throws(PGError) {
        switch command {
        case .identifySystem:
            let wal = try primaryWAL()
            var result = ResultSet([("systemid", .text), ("timeline", .int4), ("xlogpos", .text), ("dbname", .text)])
            result.append([String(environment.systemIdentifier), String(wal.timeline.value), wal.flushedLSN.description, database])
            result.send(out)
            out.commandComplete("IDENTIFY_SYSTEM")
        case .show(let name):
            guard let value = environment.show(name) else {
                throw PGError(sqlState: "42704", message: "unrecognized configuration parameter \"\(name)\"")
            }
            var result = ResultSet([(name, .text)])
            result.append([value])
            result.send(out)
            out.commandComplete("SHOW")
        case .timelineHistory(let timeline):
            let history = try TimelineHistoryFile.read(timeline, walDirectory: environment.walDirectory)
            out.rowDescription([FieldDescription(name: "filename", typeOID: 25, typeSize: -1),
                                FieldDescription(name: "content", typeOID: 17, typeSize: -1)])
            out.dataRow([Array(WALFileName.history(timeline: timeline).utf8), history.bytes])
            out.commandComplete("TIMELINE_HISTORY")
        case .createSlot(let name, let temporary, let reserveWAL):
            let reserve = try reserveWAL ? (environment.lastCheckpointRedo(), primaryWAL().timeline) : nil
            try environment.slots.create(name: name, temporary: temporary, reserveAt: reserve, ownerPID: pid)
            logger.info("created replication slot \"\(name)\"", metadata: ["temporary": "\(temporary)"])
            var result = ResultSet([("slot_name", .text), ("consistent_point", .text), ("snapshot_name", .text),
                                    ("output_plugin", .text)])
            result.append([name, LSN.invalid.description, nil, nil])
            result.send(out)
            out.commandComplete("CREATE_REPLICATION_SLOT")
        case .dropSlot(let name, _):
            try environment.slots.drop(name: name, byPID: pid)
            logger.info("dropped replication slot \"\(name)\"")
            out.commandComplete("DROP_REPLICATION_SLOT")
        case .readSlot(let name):
            var result = ResultSet([("slot_type", .text), ("restart_lsn", .text), ("restart_tli", .int8)])
            if let slot = environment.slots.slot(named: name) {
                result.append(["physical", slot.restartLSN?.description, slot.restartTimeline.map { String($0.value) }])
            } else {
                result.append([nil, nil, nil])
            }
            result.send(out)
            out.commandComplete("READ_REPLICATION_SLOT")
        case .startReplication(let slot, let start, let timeline):
            var streamer = try WALStreamer(environment: environment, wal: primaryWAL(), pid: pid, slot: slot,
                                           start: start, requestedTimeline: timeline, logger: logger)
            if try streamer.run(out) { out.commandComplete("START_REPLICATION") }
        case .baseBackup(let options):
            try BaseBackupSender(environment: environment, wal: primaryWAL(), pid: pid, logger: logger).run(options, out)
            out.commandComplete("BASE_BACKUP")
        }
    }

    private func primaryWAL() throws(PGError) -> FlushedWAL {
        guard let wal = environment.wal() else {
            throw PGError(sqlState: "55000", message: "recovery is in progress",
                          hint: "minipg does not support cascading replication: connect to the primary.")
        }
        return wal
    }

    // MARK: the extended protocol is not allowed on a replication connection

    private static let extendedProtocolRefused = PGError(
        sqlState: "08P01", message: "extended query protocol not supported in a replication connection")

    public func parse(name: String, query: String, parameterTypes: [UInt32]) throws(PGError) {
        throw Self.extendedProtocolRefused
    }
    public func bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?],
                     resultFormats: [Int16]) throws(PGError) {
        throw Self.extendedProtocolRefused
    }
    public func describeStatement(_ name: String) throws(PGError) -> (parameterTypes: [UInt32], fields: [FieldDescription]?) {
        throw Self.extendedProtocolRefused
    }
    public func describePortal(_ name: String) throws(PGError) -> [FieldDescription]? {
        throw Self.extendedProtocolRefused
    }
    public func execute(portal: String, maxRows: Int32, _ out: BackendOutput) throws(PGError) -> Bool {
        throw Self.extendedProtocolRefused
    }
    public func close(statement: String) {}
    public func close(portal: String) {}
    public func sync() -> TransactionState { sqlBackend?.sync() ?? .idle }

    public func terminate() {
        sqlBackend?.terminate()
        do {
            try environment.slots.releaseAll(ownedBy: pid)
        } catch {
            logger.error("could not release replication slots: \(error.message)")
        }
        environment.senders.unregister(pid)
        environment.feedbackXminChanged()
    }
}
