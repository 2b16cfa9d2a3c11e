// WALRecordHeader: the fixed 24-byte header in front of every WAL record (PostgreSQL's XLogRecord).
//
// Records lie back to back in the WAL byte stream, each starting at an 8-byte-aligned LSN, and may
// cross segment file boundaries anywhere (even inside the header). All integers are little-endian.
//
//   offset  size  field
//   ------  ----  -------------------------------------------------------------------------------
//        0     4  totalLength      header + payload in bytes, padding excluded (0 = end of WAL)
//        4     4  xid              TransactionID that wrote the record (0 if none)
//        8     8  previous         xl_prev: LSN where the record before this one starts
//       16     1  info             record kind within its resource manager
//       17     1  resourceManager  who redoes the record (heap, btree, xact, ...)
//       18     2  reserved         zero
//       20     4  crc              CRC32C of the payload, then of header bytes 0..<20
//       24     …  payload          totalLength - 24 bytes, opaque to the WAL
//        …  0..7  padding          zero bytes up to the next multiple of 8
//
// Why the CRC covers the payload first: the payload's CRC can be computed before the insert lock
// is taken; only `previous` (known under the lock) and the header's 20 bytes are added inside it.
// PostgreSQL does the same. The reader trusts a record only if totalLength is sane, `previous`
// points at the record it read just before, and the CRC matches: a torn or stale tail fails one.

public struct WALRecordHeader: Sendable, Equatable {
    public static let size = 24
    /// Records start at multiples of this (PostgreSQL's MAXALIGN).
    public static let alignment = 8
    /// Largest totalLength accepted, 1 GiB (PostgreSQL's XLogRecordMaxSize is 1020 MiB).
    public static let maximumTotalLength = 1 << 30
    /// Bytes of the header covered by the CRC: everything before the crc field.
    static let checksummedSize = 20

    public var totalLength: UInt32
    public var xid: TransactionID
    public var previous: LSN
    public var info: UInt8
    public var resourceManager: ResourceManagerID
    public var crc: UInt32

    public init(totalLength: UInt32, xid: TransactionID, previous: LSN, info: UInt8,
                resourceManager: ResourceManagerID, crc: UInt32) {
        self.totalLength = totalLength
        self.xid = xid
        self.previous = previous
        self.info = info
        self.resourceManager = resourceManager
        self.crc = crc
    }

    public var payloadLength: Int { Int(totalLength) - WALRecordHeader.size }

    /// Bytes the record occupies in the stream, padding included.
    public var alignedLength: Int { WALRecordHeader.aligned(Int(totalLength)) }

    static func aligned(_ length: Int) -> Int {
        (length + alignment - 1) & ~(alignment - 1)
    }

    static func aligned(_ lsn: LSN) -> LSN {
        LSN((lsn.value + UInt64(alignment - 1)) & ~UInt64(alignment - 1))
    }

    /// Writes the 24 header bytes at the start of `buffer`.
    func encode(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= WALRecordHeader.size)
        buffer.storeBytes(of: totalLength.littleEndian, toByteOffset: 0, as: UInt32.self)
        buffer.storeBytes(of: xid.value.littleEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: previous.value.littleEndian, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: info, toByteOffset: 16, as: UInt8.self)
        buffer.storeBytes(of: resourceManager.rawValue, toByteOffset: 17, as: UInt8.self)
        buffer.storeBytes(of: UInt16(0), toByteOffset: 18, as: UInt16.self)
        buffer.storeBytes(of: crc.littleEndian, toByteOffset: 20, as: UInt32.self)
    }

    /// Reads the 24 header bytes at the start of `buffer` (no validation).
    init(decoding buffer: UnsafeRawBufferPointer) {
        precondition(buffer.count >= WALRecordHeader.size)
        totalLength = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        xid = TransactionID(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        previous = LSN(UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        info = buffer[16]
        resourceManager = ResourceManagerID(rawValue: buffer[17])
        crc = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
    }

    /// The record's CRC from its payload's CRC and its encoded header (whose crc field is ignored).
    static func recordCRC(payloadCRC: UInt32, encodedHeader: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.checksum(UnsafeRawBufferPointer(rebasing: encodedHeader[0..<checksummedSize]),
                        continuing: payloadCRC)
    }
}
