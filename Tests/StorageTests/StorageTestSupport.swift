// Test support for Storage: a fresh data directory per test, small settings, crash-style reopen.
#if canImport(Glibc)
import Glibc
#endif
import Logging
import WAL
@testable import Storage

/// A data directory under /tmp, removed by `remove()`.
struct TestDataDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/minipg-storage-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw StorageError(.io, "mkdtemp failed")
        }
        path = String(cString: made) + "/data"
    }

    /// An existing data directory (a child process of a test opens its parent's).
    init(path: String) { self.path = path }

    /// 1 MiB WAL segments and no fsync keep tests fast; durability across a process crash does
    /// not need fsync (the kernel keeps what was written).
    static func configuration(sharedBuffers: Int = 64, compression: WALCompression = .off) -> StorageConfiguration {
        StorageConfiguration(sharedBuffers: sharedBuffers,
                             wal: WALConfiguration(fsync: false, compression: compression, segmentSize: 1 << 20),
                             synchronousCommit: true, checkpointTimeout: .seconds(3600), maxWALSize: 1 << 30)
    }

    func create(_ configuration: StorageConfiguration = configuration()) throws -> StorageEngine {
        try StorageEngine.create(dataDirectory: path, configuration: configuration, logger: testLogger)
        return try open(configuration)
    }

    func open(_ configuration: StorageConfiguration = configuration()) throws -> StorageEngine {
        try StorageEngine(dataDirectory: path, configuration: configuration, logger: testLogger)
    }

    func remove() {
        removeTree(String(path.dropLast("/data".count)))
    }

    /// The WAL segment files, oldest first.
    var walSegments: [String] {
        listDirectory(path + "/pg_wal").filter { $0.count == 24 }.sorted().map { path + "/pg_wal/" + $0 }
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "storage-tests")
    logger.logLevel = .warning
    return logger
}()

func listDirectory(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in listDirectory(path) { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// A row payload that says which row it is.
func row(_ n: Int, size: Int = 16) -> [UInt8] {
    var bytes = Array("row \(n)".utf8)
    while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: n &+ bytes.count)) }
    return bytes
}

extension StorageEngine {
    /// Every row of `rel` visible to a fresh snapshot of a transaction that does nothing.
    func visibleRows(_ rel: RelationID, as xid: TransactionID = .invalid, command: CommandID = CommandID(0)) throws -> [[UInt8]] {
        var rows: [[UInt8]] = []
        try heap(rel).scan(snapshot: transactions.snapshot(for: xid, command: command)) { _, data in
            rows.append(Array(data))
            return true
        }
        return rows
    }
}

/// A joinable thread for tests.
final class TestThread: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
    func start() {
        let box = Unmanaged.passRetained(self)
        pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let thread = Unmanaged<TestThread>.fromOpaque(raw).takeRetainedValue()
            thread.body()
            return nil
        }, box.toOpaque())
    }
    func join() { pthread_join(handle, nil) }
}
