// WALRecord: one record as the reader hands it out, with its place in the stream.
//
// The payload is opaque to the WAL: Storage encodes and decodes it per resource manager.

public struct WALRecord: Sendable {
    /// Where the record starts.
    public var lsn: LSN
    /// Where the next record starts (this record's end, rounded up to 8 bytes).
    public var endLSN: LSN
    /// xl_prev: where the record before it starts (checked by the reader).
    public var previous: LSN
    public var xid: TransactionID
    public var resourceManager: ResourceManagerID
    /// Record kind within its resource manager.
    public var info: UInt8
    public var payload: [UInt8]

    public init(lsn: LSN, endLSN: LSN, previous: LSN, xid: TransactionID,
                resourceManager: ResourceManagerID, info: UInt8, payload: [UInt8]) {
        self.lsn = lsn
        self.endLSN = endLSN
        self.previous = previous
        self.xid = xid
        self.resourceManager = resourceManager
        self.info = info
        self.payload = payload
    }
}
