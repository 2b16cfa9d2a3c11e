// Storage: little-endian integer access at byte offsets of a page or record buffer.
//
// Every on-disk structure in Storage is read and written through these, so byte order is decided in
// one place (little-endian, like the x86-64 machines PostgreSQL mostly runs on) and unaligned offsets
// are always safe.

extension UnsafeRawBufferPointer {
    @inline(__always) func u16(at offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inline(__always) func u32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inline(__always) func u64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func u16(at offset: Int) -> UInt16 { UnsafeRawBufferPointer(self).u16(at: offset) }
    @inline(__always) func u32(at offset: Int) -> UInt32 { UnsafeRawBufferPointer(self).u32(at: offset) }
    @inline(__always) func u64(at offset: Int) -> UInt64 { UnsafeRawBufferPointer(self).u64(at: offset) }
    @inline(__always) func setU16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
    @inline(__always) func setU32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
    @inline(__always) func setU64(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
    }
}

/// Appends little-endian integers and byte runs to a growing record payload.
struct ByteWriter {
    var bytes: [UInt8] = []
    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }
    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
}

/// Reads a record payload front to back; every read is bounds-checked (WAL content is input).
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws -> UInt8 { try need(1); defer { offset += 1 }; return bytes[offset] }
    mutating func u16() throws -> UInt16 { UInt16(truncatingIfNeeded: try integer(2)) }
    mutating func u32() throws -> UInt32 { UInt32(truncatingIfNeeded: try integer(4)) }
    mutating func u64() throws -> UInt64 { try integer(8) }
    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        try need(count)
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func integer(_ size: Int) throws -> UInt64 {
        try need(size)
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += size
        return value
    }
    private func need(_ count: Int) throws {
        guard count >= 0, offset + count <= bytes.count else {
            throw StorageError(.invalidState, "WAL record payload is truncated: needed \(count) bytes at offset \(offset) of \(bytes.count)")
        }
    }
}
