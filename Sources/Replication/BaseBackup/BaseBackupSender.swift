// BaseBackupSender: the server side of BASE_BACKUP, as pg_basebackup 15 expects it (clients.md §3.2):
//
//   1. a forced checkpoint: its redo point is where the backup starts; WAL from there on is held
//      (ReplicationSlots.holdForBackup) until the backup ends
//   2. result set (recptr text, tli int8) = start;  result set (spcoid, spclocation, size) = the one
//      tablespace, size in kB with PROGRESS
//   3. CopyOutResponse, then CopyData messages: 'n' "base.tar\0" "\0" (a new archive), 'd' tar bytes,
//      'p' Int64 bytes done (with PROGRESS); CopyDone
//   4. result set (recptr, tli) = end;  the caller sends CommandComplete "BASE_BACKUP"
//
// The tar holds backup_label first, then the data directory as it is while writes continue (a page
// copied half-written is repaired by replaying the WAL from the start point: every page changed
// after a checkpoint's redo point is logged in full the first time), pg_wal/ only as empty
// directories unless WAL was asked for (then the segments from start to end), and global/pg_control
// last — the bytes the start checkpoint wrote, so recovery of the copy begins at its redo point.
// Left out, as PostgreSQL leaves them out: postmaster.pid/.opts, backup_label, tablespace_map,
// temporary files, and the contents of pg_replslot/ and pg_wal/.

#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGWire
import WAL

struct BaseBackupSender {
    /// Bytes of tar data per CopyData message.
    static let chunkBytes = 64 * 1024
    static let excludedFiles: Set<String> = ["postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map",
                                             "backup_manifest", "postgresql.auto.conf.tmp", "current_logfiles.tmp"]
    static let excludedDirectoryContents: Set<String> = ["pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem",
                                                         "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans"]
    static let controlFilePath = "global/pg_control"

    let environment: WALSenderEnvironment
    let wal: FlushedWAL
    let pid: Int32
    let logger: Logger

    private struct Entry {
        var path: String
        var isDirectory: Bool
        var size: Int
        var mode: Int
        var modificationTime: Int
    }

    func run(_ options: BaseBackupOptions, _ out: BackendOutput) throws(PGError) {
        environment.senders.update(pid) { $0.state = .backup }
        defer { environment.senders.update(pid) { $0.state = .startup } }
        let start: BackupStart
        do {
            start = try environment.startBackup()
        } catch {
            throw PGError(sqlState: "XX000", message: "could not start the backup: \(error)")
        }
        environment.slots.holdForBackup(pid: pid, from: start.redo)
        defer { environment.slots.releaseBackupHold(pid: pid) }
        logger.info("base backup started", metadata: ["label": "\(options.label)", "start": "\(start.redo)"])

        sendPosition(start.redo, start.timeline, out)
        let entries = try listDataDirectory()
        var tablespaces = ResultSet([("spcoid", .oid), ("spclocation", .text), ("size", .int8)])
        let totalBytes = entries.reduce(0) { $0 + $1.size } + start.controlFile.count
        tablespaces.append([nil, nil, options.progress ? String(totalBytes / 1024) : nil])
        tablespaces.send(out)
        out.commandComplete("SELECT")

        out.copyOutResponse(format: 0, columnFormats: [])
        out.copyData([UInt8(ascii: "n")] + Array("base.tar".utf8) + [0, 0])
        var stream = TarStream(out: out, progress: options.progress)
        stream.add(TarHeader(name: "backup_label", kind: .file, size: 0, mode: 0o600, modificationTime: Int(time(nil))),
                   contents: Array(backupLabel(start, label: options.label).utf8))
        for entry in entries {
            let header = TarHeader(name: entry.path, kind: entry.isDirectory ? .directory : .file, size: entry.size,
                                   mode: entry.mode, modificationTime: entry.modificationTime)
            if entry.isDirectory {
                stream.add(header, contents: [])
            } else {
                try stream.addFile(header, path: environment.dataDirectory + "/" + entry.path)
            }
        }
        // Every page copied above was written after the WAL covering it was flushed.
        let end = wal.flushedLSN
        if options.includeWAL { try sendWAL(from: start.redo, to: end, timeline: start.timeline, &stream) }
        stream.add(TarHeader(name: Self.controlFilePath, kind: .file, size: 0, mode: 0o600, modificationTime: Int(time(nil))),
                   contents: start.controlFile)
        stream.finish()
        if options.manifest {
            let manifest = BackupManifest(files: stream.files, timeline: start.timeline, start: start.redo, end: end).text()
            out.copyData([UInt8(ascii: "m")])
            var offset = 0
            while offset < manifest.count {
                let chunk = manifest[offset..<min(manifest.count, offset + Self.chunkBytes)]
                out.copyData([UInt8(ascii: "d")] + chunk)
                offset += chunk.count
            }
        }
        out.copyDone()
        sendPosition(end, start.timeline, out)
        logger.info("base backup done", metadata: ["end": "\(end)", "bytes": "\(stream.bytesDone)"])
    }

    private func sendPosition(_ lsn: LSN, _ timeline: TimelineID, _ out: BackendOutput) {
        var result = ResultSet([("recptr", .text), ("tli", .int8)])
        result.append([lsn.description, String(timeline.value)])
        result.send(out)
        out.commandComplete("SELECT")
    }

    /// PostgreSQL 15's backup_label.
    private func backupLabel(_ start: BackupStart, label: String) -> String {
        let segment = WALFileName.segment(containing: start.redo, timeline: start.timeline, segmentSize: environment.segmentSize)
        let startTime = BackupManifest.utcTime(Int(time(nil)), zoneName: "UTC")
        return """
            START WAL LOCATION: \(start.redo) (file \(segment))
            CHECKPOINT LOCATION: \(start.checkpoint)
            BACKUP METHOD: streamed
            BACKUP FROM: primary
            START TIME: \(startTime)
            LABEL: \(label)
            START TIMELINE: \(start.timeline)

            """
    }

    /// The segments holding [start, end), whole, as pg_wal/<name>.
    private func sendWAL(from start: LSN, to end: LSN, timeline: TimelineID, _ stream: inout TarStream) throws(PGError) {
        let reader = WALSegmentReader(walDirectory: environment.walDirectory, segmentSize: environment.segmentSize)
        let first = WALFileName.segmentNumber(of: start, segmentSize: environment.segmentSize)
        let last = WALFileName.segmentNumber(of: LSN(max(end.value, 1) - 1), segmentSize: environment.segmentSize)
        for segment in first...max(first, last) {
            let name = WALFileName.segment(timeline: timeline, segmentNumber: segment, segmentSize: environment.segmentSize)
            stream.addHeader(TarHeader(name: "pg_wal/" + name, kind: .file, size: environment.segmentSize,
                                       mode: 0o600, modificationTime: Int(time(nil))), inManifest: false)
            var position = WALFileName.startLSN(ofSegment: segment, segmentSize: environment.segmentSize)
            var remaining = environment.segmentSize
            while remaining > 0 {
                let bytes = try reader.read(from: position, count: min(remaining, Self.chunkBytes), timelines: [timeline])
                stream.addContent(bytes)
                position = position.advanced(by: UInt64(bytes.count))
                remaining -= bytes.count
            }
            stream.endFile(size: environment.segmentSize)
        }
    }

    /// The data directory's entries in tar order (each directory before what it holds).
    private func listDataDirectory() throws(PGError) -> [Entry] {
        var entries: [Entry] = []
        try list("", into: &entries)
        // Directories every PostgreSQL data directory has and pg_basebackup walks (fsync).
        for directory in ["pg_tblspc"] where !entries.contains(where: { $0.path == directory }) {
            entries.append(Entry(path: directory, isDirectory: true, size: 0, mode: 0o700, modificationTime: Int(time(nil))))
        }
        return entries
    }

    private func list(_ relative: String, into entries: inout [Entry]) throws(PGError) {
        let directory = relative.isEmpty ? environment.dataDirectory : environment.dataDirectory + "/" + relative
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return }
            throw PGError(sqlState: "58030", message: "could not open directory \"\(directory)\": \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            if Self.excludedFiles.contains(path) || path == Self.controlFilePath || name.hasPrefix("pgsql_tmp")
                || name.hasSuffix(".tmp") { continue }
            var info = stat()
            guard lstat(environment.dataDirectory + "/" + path, &info) == 0 else { continue }   // vanished meanwhile
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            guard isDirectory || (info.st_mode & S_IFMT) == S_IFREG else { continue }
            entries.append(Entry(path: path, isDirectory: isDirectory, size: isDirectory ? 0 : Int(info.st_size),
                                 mode: Int(info.st_mode & 0o7777), modificationTime: Int(info.st_mtim.tv_sec)))
            if isDirectory {
                if Self.excludedDirectoryContents.contains(path) {
                    if path == "pg_wal" {
                        entries.append(Entry(path: "pg_wal/archive_status", isDirectory: true, size: 0, mode: 0o700,
                                             modificationTime: Int(info.st_mtim.tv_sec)))
                    }
                    continue
                }
                try list(path, into: &entries)
            }
        }
    }
}

/// The tar stream inside CopyData: headers, contents padded to 512 bytes, 'p' progress messages,
/// and the two zero blocks that end the archive.
private struct TarStream {
    let out: BackendOutput
    let progress: Bool
    private(set) var bytesDone = 0
    /// Regular files written so far, with their CRC-32C (the backup manifest lists them).
    private(set) var files: [BackupManifest.File] = []
    private var pending: [UInt8] = []
    private var currentFile: BackupManifest.File?

    init(out: BackendOutput, progress: Bool) {
        self.out = out
        self.progress = progress
    }

    mutating func add(_ header: TarHeader, contents: [UInt8]) {
        var header = header
        header.size = contents.count
        addHeader(header)
        addContent(contents)
        endFile(size: contents.count)
    }

    /// A file whose size was taken when the directory was listed: a file that shrank since is
    /// padded with zeros, one that grew is cut (WAL replay of the copy fixes both), one that
    /// vanished becomes zeros of that size (as PostgreSQL does).
    mutating func addFile(_ header: TarHeader, path: String) throws(PGError) {
        addHeader(header)
        var sent = 0
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            var chunk = [UInt8](repeating: 0, count: BaseBackupSender.chunkBytes)
            while sent < header.size {
                let wanted = min(chunk.count, header.size - sent)
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else {
                    throw PGError(sqlState: "58030", message: "could not read file \"\(path)\": \(String(cString: strerror(errno)))")
                }
                if count == 0 { break }
                addContent(Array(chunk[0..<count]))
                sent += count
            }
        }
        if sent < header.size { addContent([UInt8](repeating: 0, count: header.size - sent)) }
        endFile(size: header.size)
    }

    /// Starts an entry; a regular file's contents then follow through addContent and endFile.
    mutating func addHeader(_ header: TarHeader, inManifest: Bool = true) {
        append(header.encode())
        if header.kind == .file && inManifest {
            currentFile = BackupManifest.File(path: header.name, size: header.size,
                                              modificationTime: header.modificationTime, crc: 0)
        }
    }

    mutating func addContent(_ bytes: [UInt8]) {
        if let crc = currentFile?.crc { currentFile?.crc = CRC32C.checksum(bytes, continuing: crc) }
        append(bytes)
    }

    private mutating func append(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
        bytesDone += bytes.count
        while pending.count >= BaseBackupSender.chunkBytes {
            out.copyData([UInt8(ascii: "d")] + pending.prefix(BaseBackupSender.chunkBytes))
            pending.removeFirst(BaseBackupSender.chunkBytes)
        }
    }

    mutating func endFile(size: Int) {
        if let currentFile { files.append(currentFile) }
        currentFile = nil
        append([UInt8](repeating: 0, count: TarHeader.padding(after: size)))
        if progress { sendProgress() }
    }

    mutating func finish() {
        append([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
        if !pending.isEmpty { out.copyData([UInt8(ascii: "d")] + pending) }
        pending = []
        if progress { sendProgress() }
    }

    private func sendProgress() {
        var message = [UInt8(ascii: "p")]
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: UInt64(bytesDone) >> UInt64(shift))) }
        out.copyData(message)
    }
}
