// TarHeader: one 512-byte ustar header, as PostgreSQL's tarCreateHeader writes them for
// BASE_BACKUP's tar stream. A file is its header, then its bytes, zero-padded to a multiple of 512.
//
//   offset size field                 offset size field
//        0  100 name (dirs end in /)     257    6 magic "ustar\0"
//      100    8 mode, octal              263    2 version "00"
//      108    8 uid, octal               265   32 uname
//      116    8 gid, octal               297   32 gname
//      124   12 size, octal              329    8 devmajor
//      136   12 mtime, octal             337    8 devminor
//      148    8 checksum (sum of all header bytes, the field itself counted as spaces)
//      156    1 typeflag ('0' file, '5' directory)
//   Names longer than 99 bytes are not needed here: the data directory's paths are short.

struct TarHeader {
    static let blockSize = 512

    enum Kind: UInt8 {
        case file = 0x30        // '0'
        case directory = 0x35   // '5'
    }

    var name: String
    var kind: Kind
    var size: Int
    var mode: Int
    var modificationTime: Int

    func encode() -> [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        var path = Array(name.utf8.prefix(kind == .directory ? 98 : 99))
        if kind == .directory { path.append(UInt8(ascii: "/")) }
        block.replaceSubrange(0..<path.count, with: path)
        put(octal: mode, width: 8, at: 100, in: &block)
        put(octal: 0, width: 8, at: 108, in: &block)
        put(octal: 0, width: 8, at: 116, in: &block)
        put(octal: kind == .directory ? 0 : size, width: 12, at: 124, in: &block)
        put(octal: modificationTime, width: 12, at: 136, in: &block)
        block[156] = kind.rawValue
        block.replaceSubrange(257..<263, with: Array("ustar".utf8) + [0])
        block.replaceSubrange(263..<265, with: Array("00".utf8))
        for (offset, text) in [(265, "postgres"), (297, "postgres")] {
            block.replaceSubrange(offset..<offset + text.utf8.count, with: Array(text.utf8))
        }
        put(octal: 0, width: 8, at: 329, in: &block)
        put(octal: 0, width: 8, at: 337, in: &block)
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal: checksum, width: 8, at: 148, in: &block)
        return block
    }

    /// Zero bytes that pad `size` bytes of content to the next block boundary.
    static func padding(after size: Int) -> Int {
        (blockSize - size % blockSize) % blockSize
    }

    /// `width - 1` octal digits, zero-filled, then NUL (as PostgreSQL's print_tar_number).
    private func put(octal value: Int, width: Int, at offset: Int, in block: inout [UInt8]) {
        var digits = Array(String(value, radix: 8).utf8)
        digits = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        block.replaceSubrange(offset..<offset + width - 1, with: digits.suffix(width - 1))
        block[offset + width - 1] = 0
    }
}
