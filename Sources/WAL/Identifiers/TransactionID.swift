// TransactionID: PostgreSQL's 32-bit xid, stamped on every WAL record and heap tuple.
//
// Values 0, 1 and 2 are special as in PostgreSQL (invalid, bootstrap, frozen); normal ids start
// at 3. Ordering is plain numeric: minipg does not wrap xids around (PostgreSQL compares normal
// xids modulo 2^32 and freezes old tuples to make that safe; that is out of scope here).

public struct TransactionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) {
        self.value = value
    }

    /// 0: no transaction (records that belong to none, such as checkpoints).
    public static let invalid = TransactionID(0)
    /// 1: the transaction initdb runs the bootstrap catalog in.
    public static let bootstrap = TransactionID(1)
    /// 2: "committed long ago, visible to everyone".
    public static let frozen = TransactionID(2)
    /// 3: the first id handed out to a user transaction.
    public static let firstNormal = TransactionID(3)

    public var isValid: Bool { value != 0 }
    public var isNormal: Bool { value >= TransactionID.firstNormal.value }

    public var next: TransactionID { TransactionID(value + 1) }

    public var description: String { String(value) }

    public static func < (lhs: TransactionID, rhs: TransactionID) -> Bool {
        lhs.value < rhs.value
    }
}
