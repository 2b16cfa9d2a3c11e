// StreamingFixture: a primary with a WAL backlog and a real WAL sender, on loopback.
//
//   WALWriter ──► primary/pg_wal (backlogBytes of flushed WAL)
//                        │  WALSegmentReader ─ WALStreamer ─ WALSenderBackend   (Replication)
//                        ▼                                                  PGServer (PGWire, NIO)
//   127.0.0.1:<port> ── TCP ──► WALReceiver ─ WALStreamReceiver ─ ReceivedWALWriter ─► standby/pg_wal
//
// The sender side is the server's: PGWire's PGServer serving WALSenderBackend, exactly the objects
// `minipg server` builds for a replication connection (trust authentication, no SQL behind it).
// Each measured run starts a WALReceiver into an empty folder at the backlog's first byte and
// stops it once its flushed position reached the backlog's end.

import Benchmark
import Foundation
import Logging
import PGWire
import Replication
import WAL

final class StreamingFixture: @unchecked Sendable {
    static let backlogBytes: UInt64 = 128 << 20
    static let systemIdentifier: UInt64 = 7_300_000_000_000_000_001
    static let segmentSize = 16 * 1024 * 1024

    let folder: String
    let start: LSN
    let end: LSN
    private let writer: WALWriter
    private let server: PGServer
    private let port: Int
    private var runs = 0

    init(folder: String) throws {
        self.folder = folder
        let primary = folder + "/primary"
        for directory in ["/pg_wal", "/pg_replslot"] {
            try FileManager.default.createDirectory(atPath: primary + directory, withIntermediateDirectories: true)
        }
        let configuration = WALConfiguration(fsync: false, segmentSize: Self.segmentSize)
        start = WALFileName.startLSN(ofSegment: 1, segmentSize: Self.segmentSize)
        let writer = try WALWriter(directory: primary + "/pg_wal", timeline: .first, end: start,
                                   previousRecord: .invalid, configuration: configuration,
                                   logger: Logger(label: "streaming-benchmark"))
        try Self.writeBacklog(writer, bytes: Self.backlogBytes)
        end = writer.insertLSN
        try writer.flush(upTo: end)
        self.writer = writer

        let redo = start
        let environment = WALSenderEnvironment(
            dataDirectory: primary, systemIdentifier: Self.systemIdentifier, segmentSize: Self.segmentSize,
            wal: { writer }, show: { _ in nil }, lastCheckpointRedo: { redo }, walSenderTimeout: .seconds(60),
            slots: try ReplicationSlots(dataDirectory: primary), senders: WALSenders(),
            startBackup: { throw PGError(sqlState: "0A000", message: "no base backups in this benchmark") })
        var logger = Logger(label: "streaming-benchmark")
        logger.logLevel = .warning
        server = PGServer(host: ["127.0.0.1"], port: 0, factory: WALSenderOnlyFactory(environment: environment),
                          logger: logger, eventLoopThreads: 1)
        try server.start()
        port = server.localPort ?? 0
    }

    /// Streams the whole backlog into a new folder, measuring from the receiver's start to its
    /// flush of the last byte; returns the WAL bytes received and that time.
    func streamBacklog(fsync: Bool, measuring benchmark: Benchmark) throws -> (UInt64, Duration) {
        runs += 1
        let standby = folder + "/standby-\(runs)"
        try FileManager.default.createDirectory(atPath: standby + "/pg_wal", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: standby) }
        var configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(port) user=bench application_name=bench",
            slotName: nil, walDirectory: standby + "/pg_wal", systemIdentifier: Self.systemIdentifier,
            startLSN: start, startTimeline: .first)
        configuration.fsync = fsync
        configuration.segmentSize = Self.segmentSize
        configuration.retryInterval = .milliseconds(100)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress, logger: Self.quietLogger)
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        receiver.start()
        defer { receiver.stop() }
        var flushed = progress.flushedLSN
        let deadline = ContinuousClock.now + .seconds(120)
        while flushed < end {
            guard ContinuousClock.now < deadline else {
                throw WALError(.io, "the receiver reached only \(flushed) of \(end) in two minutes")
            }
            flushed = progress.waitForFlush(beyond: flushed, timeout: .seconds(1))
        }
        let elapsed = ContinuousClock.now - started
        benchmark.stopMeasurement()
        return (end.value - start.value, elapsed)
    }

    func stop() {
        server.stop()
        try? writer.close()
    }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "streaming-benchmark")
        logger.logLevel = .warning
        return logger
    }()

    /// Records of mixed sizes, as a write-heavy primary logs them: mostly small row changes, and
    /// a full-page image (8 KiB) every 16 records.
    private static func writeBacklog(_ writer: WALWriter, bytes: UInt64) throws {
        let small = [UInt8](repeating: 0x3C, count: 120)
        let image = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var count = 0
        while writer.insertLSN.value - WALFileName.startLSN(ofSegment: 1, segmentSize: segmentSize).value < bytes {
            try writer.insert(Fixtures.resourceManager, info: 0, xid: .firstNormal,
                              payload: count % 16 == 15 ? image : small)
            count += 1
        }
    }
}

/// Every connection is a physical replication connection with trust authentication.
struct WALSenderOnlyFactory: BackendFactory {
    let environment: WALSenderEnvironment

    func authenticationMethod(for startup: StartupInfo) -> Result<AuthenticationMethod, PGError> { .success(.trust) }

    func makeBackend(for startup: StartupInfo, processID: Int32, secretKey: Int32) throws(PGError) -> QueryBackend {
        let status = WALSenderStatus(pid: processID, userOID: 10, userName: startup.user,
                                     applicationName: startup.applicationName, clientAddress: "127.0.0.1",
                                     clientPort: nil, backendStart: PostgresTimestamp.now())
        return try WALSenderBackend(environment: environment, status: status, database: nil, sqlBackend: nil)
    }

    func cancel(processID: Int32, secretKey: Int32) {}

    var parameterStatus: [(String, String)] {
        [("server_version", "15.0"), ("server_encoding", "UTF8"), ("client_encoding", "UTF8"),
         ("integer_datetimes", "on")]
    }

    var maxConnections: Int { 10 }
}
