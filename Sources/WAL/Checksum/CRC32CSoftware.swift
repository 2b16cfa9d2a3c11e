// CRC32CSoftware: CRC-32C in portable Swift, "slicing-by-8" (Intel's table-driven method).
//
// A byte-at-a-time CRC looks up one 256-entry table per byte. Slicing-by-8 precomputes eight
// tables, where table k gives the effect of a byte followed by k zero bytes, so that eight input
// bytes are folded into the state with eight independent lookups XORed together. It works on raw
// states: CRC32C.softwareChecksum does the initial and final inversion.

enum CRC32CSoftware {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78
    static let tableCount = 8
    static let tableSize = 256

    /// tables[k * 256 + b]: the state change for byte b followed by k zero bytes.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: tableCount * tableSize)
        for byte in 0..<tableSize {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for byte in 0..<tableSize {
            var crc = tables[byte]
            for k in 1..<tableCount {
                crc = (crc >> 8) ^ tables[Int(crc & 0xFF)]
                tables[k * tableSize + byte] = crc
            }
        }
        return tables
    }()

    static func update(_ state: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var crc = state
            var offset = 0
            let count = bytes.count
            while count - offset >= 8 {
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) ^ crc
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                crc = table[7 * tableSize + Int(low & 0xFF)]
                    ^ table[6 * tableSize + Int((low >> 8) & 0xFF)]
                    ^ table[5 * tableSize + Int((low >> 16) & 0xFF)]
                    ^ table[4 * tableSize + Int(low >> 24)]
                    ^ table[3 * tableSize + Int(high & 0xFF)]
                    ^ table[2 * tableSize + Int((high >> 8) & 0xFF)]
                    ^ table[1 * tableSize + Int((high >> 16) & 0xFF)]
                    ^ table[Int(high >> 24)]
                offset += 8
            }
            while offset < count {
                crc = (crc >> 8) ^ table[Int((crc ^ UInt32(bytes[offset])) & 0xFF)]
                offset += 1
            }
            return crc
        }
    }
}
