// Storage: a sequence — one page holding its state (PostgreSQL's sequence.c, without the
// pre-logging of 32 values: every nextval is WAL-logged through logChanges).
//
//  0            24               32            33          40 = pd_lower          8192
//  +------------+----------------+-------------+-----------+------------------------+
//  | PageHeader | last_value i64 | is_called u8| (padding) | free (pd_lower..upper) |
//  +------------+----------------+-------------+-----------+------------------------+
//
// Not transactional, like PostgreSQL's: a value handed out is never handed out again, even if
// the transaction that took it aborts (the change is WAL-logged; its record is flushed by the
// next commit that follows it, or a checkpoint).
import Synchronization
import WAL

public final class SequenceRelation: @unchecked Sendable {
    static let lastValueOffset = pageHeaderSize
    static let isCalledOffset = pageHeaderSize + 8
    static let dataEnd = pageHeaderSize + 16

    public let id: RelationID
    private let pool: BufferPool
    private let log: PageChangeLogger

    init(id: RelationID, pool: BufferPool, log: PageChangeLogger) {
        self.id = id
        self.pool = pool
        self.log = log
    }

    /// Formats page 0 (CREATE SEQUENCE): last_value 1, not called.
    func initialize(xid: TransactionID) throws {
        let page = try pool.pageCount(id) == 0 ? try pool.extend(id) : try pool.read(id, PageNumber(0), .exclusive)
        defer { page.release() }
        try log.logChanges(to: [page], xid: xid) {
            page.header.initialize(kind: .sequence)
            page.header.lower = Self.dataEnd     // the state is page content, not free space
            page.bytes.setU64(UInt64(bitPattern: 1), at: Self.lastValueOffset)
            page.bytes.storeBytes(of: 0, toByteOffset: Self.isCalledOffset, as: UInt8.self)
        }
    }

    /// nextval: the next value by `increment`, or StorageError.sequenceLimit past the bound.
    public func nextValue(increment: Int64, minValue: Int64, maxValue: Int64, xid: TransactionID) throws -> Int64 {
        let page = try pool.read(id, PageNumber(0), .exclusive)
        defer { page.release() }
        let (last, called) = state(page)
        var next = last
        if called {
            let (sum, overflow) = last.addingReportingOverflow(increment)
            guard !overflow, sum <= maxValue, sum >= minValue else {
                let bound = increment > 0 ? "maximum value of sequence (\(maxValue))" : "minimum value of sequence (\(minValue))"
                throw StorageError(.sequenceLimit, "nextval: reached \(bound)")
            }
            next = sum
        }
        try log.logChanges(to: [page], xid: xid) {
            page.bytes.setU64(UInt64(bitPattern: next), at: Self.lastValueOffset)
            page.bytes.storeBytes(of: 1, toByteOffset: Self.isCalledOffset, as: UInt8.self)
        }
        return next
    }

    /// setval.
    public func setValue(_ value: Int64, isCalled: Bool) throws {
        let page = try pool.read(id, PageNumber(0), .exclusive)
        defer { page.release() }
        try log.logChanges(to: [page], xid: .invalid) {
            page.bytes.setU64(UInt64(bitPattern: value), at: Self.lastValueOffset)
            page.bytes.storeBytes(of: isCalled ? 1 : 0, toByteOffset: Self.isCalledOffset, as: UInt8.self)
        }
    }

    public func currentState() throws -> (lastValue: Int64, isCalled: Bool) {
        let page = try pool.read(id, PageNumber(0), .shared)
        defer { page.release() }
        return state(page)
    }

    private func state(_ page: PageGuard) -> (lastValue: Int64, isCalled: Bool) {
        (Int64(bitPattern: page.bytes.u64(at: Self.lastValueOffset)),
         page.bytes.load(fromByteOffset: Self.isCalledOffset, as: UInt8.self) != 0)
    }
}
