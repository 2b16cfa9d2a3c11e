// Storage: the shared buffer pool (PostgreSQL's bufmgr): `shared_buffers` page frames caching
// relation pages, found through a page table and replaced by clock sweep.
//
//   page table  (relation, page) ──► frame index
//   frames      [frame 0: 8 KiB][frame 1: 8 KiB] ... [frame N-1]      one aligned allocation
//   descriptors per frame: tag, pin count, usage count (0...5), dirty, valid
//   content locks per frame: shared/exclusive (ContentLock)
//
// Invariants:
//  - A frame with pinCount > 0 is never evicted or retagged; a guard holds one pin.
//  - WAL before data: a dirty page is written only after the WAL is flushed up to its pd_lsn.
//  - A page read from disk has its checksum verified before anyone sees it; a mismatch throws
//    StorageError.corruptPage naming the file and page, and the frame is dropped.
//  - The pool never grows: eviction under pressure writes dirty victims out (after the WAL flush).
//  - Lock order: the pool mutex is never held while waiting for a content lock (only try-locks),
//    and never across I/O.
//  - The frames are one anonymous mapping: the kernel hands its pages out zero-filled on first
//    touch, so opening an engine does not write shared_buffers' worth of zeros itself.
#if canImport(Glibc)
import Glibc
#endif
import WAL

final class BufferPool: @unchecked Sendable {
    /// PostgreSQL's BM_MAX_USAGE_COUNT: how many sweeps a popular page survives.
    static let maxUsageCount = 5

    struct Tag: Hashable { var relation: RelationID; var page: PageNumber }

    private struct Descriptor {
        var tag: Tag?
        var pinCount = 0
        var usageCount = 0
        var dirty = false
        var valid = false
    }

    private struct State {
        var descriptors: [Descriptor]
        var pageTable: [Tag: Int] = [:]
        var clockHand = 0
    }

    let frameCount: Int
    let files: RelationFiles
    private let memory: UnsafeMutableRawBufferPointer
    private let locks: [ContentLock]
    private let state: PThreadMutex<State>
    /// Set once the WAL writer exists (not during redo: replayed records are already in pg_wal).
    private let walWriter = PThreadMutex<(any WALFlushing)?>(nil)

    /// PostgreSQL's minimum shared_buffers (128kB).
    static let minimumFrames = 16

    /// Throws if the frames cannot be mapped (shared_buffers larger than the machine allows).
    init(frames: Int, files: RelationFiles) throws {
        let frames = max(frames, Self.minimumFrames)
        let byteCount = frames * pageSize
        guard let base = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else {
            throw StorageError(.io, "could not map anonymous shared memory: \(String(cString: strerror(errno)))")
        }
        frameCount = frames
        self.files = files
        memory = UnsafeMutableRawBufferPointer(start: base, count: byteCount)
        locks = (0..<frames).map { _ in ContentLock() }
        state = PThreadMutex(State(descriptors: Array(repeating: Descriptor(), count: frames)))
    }

    deinit { munmap(memory.baseAddress, memory.count) }

    func attach(wal: (any WALFlushing)?) { walWriter.withLock { $0 = wal } }

    private func frameBytes(_ frame: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: memory[frame * pageSize..<(frame + 1) * pageSize])
    }

    // MARK: - Getting pages

    /// Pins and locks an existing page of `rel`, reading it from disk if it is not cached.
    func read(_ rel: RelationID, _ page: PageNumber, _ mode: LockMode) throws -> PageGuard {
        try pinAndLock(Tag(relation: rel, page: page), mode: mode, zeroFill: false)
    }

    /// Adds a page at the end of `rel` and returns it locked exclusively, all zeros (PageIsNew) —
    /// unless another thread found the new page first (it counts from the moment it is reserved)
    /// and changed it: callers that let others find pages by pageCount must check.
    /// Format it (PageHeader.initialize) inside the logChanges that first uses it.
    func extend(_ rel: RelationID) throws -> PageGuard {
        let page = try files.extend(rel)
        return try pinAndLock(Tag(relation: rel, page: page), mode: .exclusive, zeroFill: true)
    }

    func pageCount(_ rel: RelationID) throws -> Int { try files.pageCount(rel) }

    /// Redo: the page locked exclusively, the file extended if the page lies past its end.
    /// With `zeroFill` (the record carries a full-page image) the old content is not read, so a
    /// torn page on disk is never verified (and never needs to be).
    func readForRedo(_ rel: RelationID, _ page: PageNumber, zeroFill: Bool) throws -> PageGuard {
        if !files.exists(rel) { try files.create(rel) }
        try files.extendIfNeeded(rel, toInclude: page)
        return try pinAndLock(Tag(relation: rel, page: page), mode: .exclusive, zeroFill: zeroFill)
    }

    private enum Lookup { case found(Int), load(Int), writeVictim(Int), retry }

    private func pinAndLock(_ tag: Tag, mode: LockMode, zeroFill: Bool) throws -> PageGuard {
        while true {
            let lookup = try state.withLock { s throws -> Lookup in
                if let frame = s.pageTable[tag] {
                    s.descriptors[frame].pinCount += 1
                    s.descriptors[frame].usageCount = min(s.descriptors[frame].usageCount + 1, Self.maxUsageCount)
                    return .found(frame)
                }
                let victim = try clockSweep(&s)
                s.descriptors[victim].pinCount = 1
                if s.descriptors[victim].dirty { return .writeVictim(victim) }
                // Clean and unpinned: nobody holds its content lock, so this try-lock succeeds.
                guard locks[victim].tryLockExclusive() else {
                    s.descriptors[victim].pinCount = 0
                    return .retry
                }
                if let old = s.descriptors[victim].tag { s.pageTable[old] = nil }
                s.descriptors[victim] = Descriptor(tag: tag, pinCount: 1, usageCount: 1, dirty: false, valid: false)
                s.pageTable[tag] = victim
                return .load(victim)
            }
            switch lookup {
            case .found(let frame):
                locks[frame].lock(mode)
                if state.withLock({ $0.descriptors[frame].valid && $0.descriptors[frame].tag == tag }) {
                    return guardFor(frame, tag, mode)
                }
                unlockAndUnpin(frame: frame, mode: mode)   // its load failed: try again
            case .retry:
                continue
            case .writeVictim(let frame):
                // Like PostgreSQL, never wait for a victim's lock: whoever pinned it since may be
                // waiting for a page this thread holds. Take another victim instead.
                guard locks[frame].tryLockShared() else {
                    state.withLock { $0.descriptors[frame].pinCount -= 1 }
                    continue
                }
                defer { unlockAndUnpin(frame: frame, mode: .shared) }
                try writeOut(frame)
            case .load(let frame):
                let bytes = frameBytes(frame)
                do {
                    if zeroFill {
                        bytes.initializeMemory(as: UInt8.self, repeating: 0)
                    } else {
                        try files.read(tag.relation, tag.page, into: bytes)
                        guard PageChecksum.verify(UnsafeRawBufferPointer(bytes), pageNumber: tag.page) else {
                            throw StorageError(.corruptPage(file: files.path(tag.relation), page: tag.page),
                                               "invalid page in block \(tag.page.value) of relation \(files.path(tag.relation))")
                        }
                    }
                } catch {
                    state.withLock { s in
                        s.pageTable[tag] = nil
                        s.descriptors[frame] = Descriptor()
                    }
                    locks[frame].unlock()
                    throw error
                }
                state.withLock { $0.descriptors[frame].valid = true }
                if mode == .shared {
                    locks[frame].unlock()
                    locks[frame].lock(.shared)
                }
                return guardFor(frame, tag, mode)
            }
        }
    }

    private func guardFor(_ frame: Int, _ tag: Tag, _ mode: LockMode) -> PageGuard {
        PageGuard(pool: self, frame: frame, relation: tag.relation, pageNumber: tag.page, mode: mode,
                  bytes: frameBytes(frame))
    }

    /// Clock sweep (PostgreSQL's StrategyGetBuffer): the first unpinned frame whose usage count
    /// has dropped to zero. Bounded: after enough full turns every unpinned frame reaches zero.
    private func clockSweep(_ s: inout State) throws -> Int {
        for _ in 0..<(frameCount * (Self.maxUsageCount + 2)) {
            let frame = s.clockHand
            s.clockHand = (s.clockHand + 1) % frameCount
            if s.descriptors[frame].pinCount > 0 { continue }
            if s.descriptors[frame].usageCount > 0 {
                s.descriptors[frame].usageCount -= 1
                continue
            }
            return frame
        }
        throw StorageError(.noFreeBuffers, "no unpinned buffers available")
    }

    // MARK: - Releasing and dirtying

    func unlockAndUnpin(frame: Int, mode: LockMode) {
        locks[frame].unlock()
        state.withLock { s in
            precondition(s.descriptors[frame].pinCount > 0)
            s.descriptors[frame].pinCount -= 1
        }
    }

    func markDirty(frame: Int) {
        state.withLock { $0.descriptors[frame].dirty = true }
    }

    // MARK: - Writing pages out

    /// Writes a pinned frame whose content lock the caller holds (shared is enough): WAL first,
    /// then the page with its checksum stamped on a private copy.
    private func writeOut(_ frame: Int) throws {
        guard let tag = state.withLock({ s -> Tag? in
            guard s.descriptors[frame].dirty, s.descriptors[frame].valid else { return nil }
            s.descriptors[frame].dirty = false   // a change after this needs the exclusive lock we block
            return s.descriptors[frame].tag
        }) else { return }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 16)
        defer { copy.deallocate() }
        copy.copyMemory(from: UnsafeRawBufferPointer(frameBytes(frame)))
        do {
            let lsn = PageHeader(bytes: copy).lsn
            if lsn.isValid, let wal = walWriter.withLock({ $0 }) { try wal.flush(upTo: lsn) }
            PageChecksum.stamp(copy, pageNumber: tag.page)
            try files.write(tag.relation, tag.page, UnsafeRawBufferPointer(copy))
        } catch {
            state.withLock { $0.descriptors[frame].dirty = true }
            throw error
        }
    }

    /// Writes every dirty page (checkpoint, shutdown). Each page is pinned and share-locked only
    /// while it is written, so writers are never blocked for the whole pass.
    func flushAll() throws {
        for frame in 0..<frameCount {
            let pinned = state.withLock { s -> Bool in
                guard s.descriptors[frame].dirty, s.descriptors[frame].valid else { return false }
                s.descriptors[frame].pinCount += 1
                return true
            }
            guard pinned else { continue }
            locks[frame].lock(.shared)
            defer { unlockAndUnpin(frame: frame, mode: .shared) }
            try writeOut(frame)
        }
    }

    /// Forgets every page of `rel` without writing it (the relation was dropped or truncated).
    /// Pages from `fromPage` on only, when truncating to a length.
    func discard(_ rel: RelationID, fromPage: UInt32 = 0) {
        state.withLock { s in
            for frame in 0..<frameCount {
                guard let tag = s.descriptors[frame].tag, tag.relation == rel, tag.page.value >= fromPage else { continue }
                s.pageTable[tag] = nil
                s.descriptors[frame] = Descriptor(pinCount: s.descriptors[frame].pinCount)
            }
        }
    }

    /// Crash simulation for tests: every cached page is forgotten, dirty or not, as if the process died.
    func discardAll() {
        state.withLock { s in
            s.pageTable.removeAll()
            for frame in 0..<frameCount { s.descriptors[frame] = Descriptor(pinCount: s.descriptors[frame].pinCount) }
        }
    }

    /// Number of dirty buffers (tests and statistics).
    var dirtyCount: Int { state.withLock { s in s.descriptors.reduce(0) { $0 + ($1.dirty ? 1 : 0) } } }
}

/// What the buffer pool needs from the WAL writer: WAL before data.
protocol WALFlushing: AnyObject, Sendable {
    func flush(upTo lsn: LSN) throws
}
