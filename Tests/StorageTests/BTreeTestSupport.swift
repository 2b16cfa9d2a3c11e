// Test support for the B-tree: a page store over a bare buffer pool in a temporary directory, with
// no WAL (logPageChanges only marks the pages dirty), and key/TID helpers.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import WAL
@testable import Storage

final class BTreeTestStore: BTreePageStore, @unchecked Sendable {
    let directory: String
    let files: RelationFiles
    let pool: BufferPool
    /// The page numbers of every logPageChanges call, in order (what one WAL record would cover).
    private let logged = Mutex<[[UInt32]]>([])
    var loggedPageSets: [[UInt32]] { logged.withLock { $0 } }

    init(frames: Int, directory: String? = nil) throws {
        if let directory {
            self.directory = directory
        } else {
            var template = Array("/tmp/minipg-btree-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
                throw StorageError(.io, "mkdtemp failed")
            }
            self.directory = String(cString: made)
        }
        files = RelationFiles(directory: self.directory)
        pool = try BufferPool(frames: frames, files: files)
    }

    /// The same files, seen through a fresh buffer pool (what a restart after a clean shutdown sees).
    func reopened(frames: Int) throws -> BTreeTestStore {
        try pool.flushAll()
        files.closeAll()
        return try BTreeTestStore(frames: frames, directory: directory)
    }

    func removeFiles() {
        files.closeAll()
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }

    func index(_ relation: RelationID, treeLock: ContentLock = ContentLock(preferWriters: true)) throws -> BTreeIndex {
        if !files.exists(relation) { try files.create(relation) }
        return BTreeIndex(id: relation, store: self, treeLock: treeLock)
    }

    func readPage(_ relation: RelationID, _ page: PageNumber, _ mode: LockMode) throws -> PageGuard {
        try pool.read(relation, page, mode)
    }
    func extendRelation(_ relation: RelationID) throws -> PageGuard { try pool.extend(relation) }
    func pageCount(of relation: RelationID) throws -> Int { try pool.pageCount(relation) }
    func logPageChanges(_ pages: [PageGuard], xid: TransactionID, conflictHorizon: TransactionID,
                        _ mutate: () throws -> Void) throws {
        try mutate()
        for page in pages { page.markDirty() }
        logged.withLock { $0.append(pages.map(\.pageNumber.value)) }
    }
}

/// A big-endian number (memcmp order = numeric order) padded to `length` bytes.
func btreeTestKey(_ number: Int, length: Int = 8) -> [UInt8] {
    var key = withUnsafeBytes(of: UInt64(number).bigEndian) { Array($0) }
    while key.count < length { key.append(UInt8(truncatingIfNeeded: number &* 31 &+ key.count)) }
    return key
}

func btreeTestTID(_ number: Int) -> TupleID {
    TupleID(page: PageNumber(UInt32(number / 100)), slot: UInt16(number % 100 + 1))
}

/// A deterministic generator, so that a failure replays (SplitMix64).
struct BTreeTestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension BTreeIndex {
    /// Every entry in scan order.
    func allEntries(from lower: BTreeBound? = nil, to upper: BTreeBound? = nil) throws -> [([UInt8], TupleID)] {
        var entries: [([UInt8], TupleID)] = []
        try scan(from: lower, to: upper) { key, tid in
            entries.append((Array(key), tid))
            return true
        }
        return entries
    }
}
