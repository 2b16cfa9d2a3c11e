// TransactionState: the status byte of ReadyForQuery.

public enum TransactionState: UInt8, Sendable, Equatable {
    case idle = 0x49            // 'I': not in a transaction block
    case inTransaction = 0x54   // 'T': in a transaction block
    case failed = 0x45          // 'E': in a failed transaction block (statements rejected until its end)
}
