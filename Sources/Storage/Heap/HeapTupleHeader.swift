// Storage: a heap tuple's header (PostgreSQL's HeapTupleHeaderData), stored in front of its data.
//
//  0        4        8        12       16              22           24
//  +--------+--------+--------+--------+---------------+------------+----------------+
//  | t_xmin | t_xmax | t_cmin | t_cmax | t_ctid        | t_infomask | data (opaque)  |
//  | u32    | u32    | u32    | u32    | page u32,     | u16        | ...            |
//  |        |        |        |        | slot u16      |            |                |
//  +--------+--------+--------+--------+---------------+------------+----------------+
//
// t_xmin: the transaction that inserted this version; t_cmin: its command.
// t_xmax: the transaction that deleted or updated it, or only locked it (HEAP_XMAX_LOCK_ONLY);
//         0 (invalid) if none; t_cmax: the deleting command (PostgreSQL folds cmin/cmax into a
//         combo id; minipg keeps both, 4 bytes more).
// t_ctid: this tuple's own address, or the newer version's after an UPDATE.
// No hint bits: visibility asks the commit log every time (it is in memory).
import WAL

/// t_infomask bits (PostgreSQL's values).
public struct HeapTupleInfomask: OptionSet, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// xmax only locks the row (SELECT FOR UPDATE); it did not delete it.
    public static let xmaxLockOnly = HeapTupleInfomask(rawValue: 0x0080)
    /// This version was made by an UPDATE (HEAP_UPDATED).
    public static let updated = HeapTupleInfomask(rawValue: 0x2000)
}

public struct HeapTupleHeader: Sendable {
    static let size = 24

    public var xmin: TransactionID
    public var xmax: TransactionID
    /// cmin: the command of xmin that inserted this version.
    public var commandID: CommandID
    /// cmax: the command of xmax that deleted or updated it.
    public var xmaxCommandID: CommandID
    public var ctid: TupleID
    public var infomask: HeapTupleInfomask

    public var xmaxIsLockOnly: Bool { infomask.contains(.xmaxLockOnly) }

    init(xmin: TransactionID, command: CommandID, ctid: TupleID, infomask: HeapTupleInfomask = []) {
        self.xmin = xmin
        xmax = .invalid
        commandID = command
        xmaxCommandID = CommandID(0)
        self.ctid = ctid
        self.infomask = infomask
    }

    init(reading bytes: UnsafeRawBufferPointer, at offset: Int) {
        xmin = TransactionID(bytes.u32(at: offset))
        xmax = TransactionID(bytes.u32(at: offset + 4))
        commandID = CommandID(bytes.u32(at: offset + 8))
        xmaxCommandID = CommandID(bytes.u32(at: offset + 12))
        ctid = TupleID(page: PageNumber(bytes.u32(at: offset + 16)), slot: bytes.u16(at: offset + 20))
        infomask = HeapTupleInfomask(rawValue: bytes.u16(at: offset + 22))
    }

    func write(to bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.setU32(xmin.value, at: offset)
        bytes.setU32(xmax.value, at: offset + 4)
        bytes.setU32(commandID.value, at: offset + 8)
        bytes.setU32(xmaxCommandID.value, at: offset + 12)
        bytes.setU32(ctid.page.value, at: offset + 16)
        bytes.setU16(ctid.slot, at: offset + 20)
        bytes.setU16(infomask.rawValue, at: offset + 22)
    }
}
