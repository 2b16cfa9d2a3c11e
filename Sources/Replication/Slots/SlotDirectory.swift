// SlotDirectory: pg_replslot/ — one subdirectory per persistent slot, holding its `state` file
// (SlotStateFile). Saving is crash-safe (temporary file, fsync, rename, fsync of the directory);
// dropping removes the state file first, so a half-dropped slot is simply gone after a crash.

#if canImport(Glibc)
import Glibc
#endif
import PGWire

struct SlotDirectory {
    let path: String

    init(dataDirectory: String) { path = dataDirectory + "/pg_replslot" }

    func statePath(_ name: String) -> String { path + "/" + name + "/state" }

    /// Every saved slot. A subdirectory without a state file is a leftover of a drop or of a
    /// create that did not finish: it is removed.
    func loadAll() throws(PGError) -> [SlotStateFile] {
        try makeDirectory(path)
        guard let directory = opendir(path) else { throw ioError("open directory", path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        var slots: [SlotStateFile] = []
        for name in names.sorted() {
            let file = statePath(name)
            guard access(file, F_OK) == 0 else {
                try removeSlotDirectory(name)
                continue
            }
            slots.append(try SlotStateFile.decode(try readAll(file), path: file))
        }
        return slots
    }

    func save(_ state: SlotStateFile) throws(PGError) {
        let directory = path + "/" + state.name
        try makeDirectory(directory)
        let temporary = directory + "/state.tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ioError("create file", temporary) }
        let bytes = state.encode()
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else { throw ioError("write file", temporary) }
        guard rename(temporary, directory + "/state") == 0 else { throw ioError("rename file", temporary) }
        try syncDirectory(directory)
        try syncDirectory(path)
    }

    func remove(_ name: String) throws(PGError) {
        let file = statePath(name)
        if unlink(file) != 0 && errno != ENOENT { throw ioError("remove file", file) }
        try removeSlotDirectory(name)
        try syncDirectory(path)
    }

    private func removeSlotDirectory(_ name: String) throws(PGError) {
        let directory = path + "/" + name
        _ = unlink(directory + "/state.tmp")
        if rmdir(directory) != 0 && errno != ENOENT { throw ioError("remove directory", directory) }
    }

    private func makeDirectory(_ directory: String) throws(PGError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw ioError("create directory", directory) }
    }

    private func syncDirectory(_ directory: String) throws(PGError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ioError("open directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ioError("fsync directory", directory) }
    }

    private func readAll(_ file: String) throws(PGError) -> [UInt8] {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ioError("open file", file) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ioError("read file", file) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private func ioError(_ action: String, _ file: String) -> PGError {
        PGError(sqlState: "58030", message: "could not \(action) \"\(file)\": \(String(cString: strerror(errno)))")
    }
}
