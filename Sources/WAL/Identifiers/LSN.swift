// LSN: a log sequence number, the byte position of something in the WAL stream.
//
// The WAL is one endless byte stream cut into segment files; an LSN is an offset into that
// stream (not into a file). PostgreSQL prints it as two hexadecimal halves, high and low 32 bits,
// `%X/%X`, e.g. `0/16B3748` or `16/B374D848`. That format lives here and nowhere else.
// Invariant: LSNs only grow within a timeline; 0/0 is never a valid record position.

public struct LSN: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Byte position in the WAL stream.
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// 0/0: "no position" (PostgreSQL's InvalidXLogRecPtr).
    public static let invalid = LSN(0)

    public var isValid: Bool { value != 0 }

    /// Parses PostgreSQL's `X/X` text form (1 to 8 hex digits on each side, any case), as the
    /// `pg_lsn` type accepts it. Returns nil for anything else.
    public init?(parsing text: String) {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2,
              let high = LSN.parseHalf(halves[0]),
              let low = LSN.parseHalf(halves[1])
        else { return nil }
        self.value = UInt64(high) << 32 | UInt64(low)
    }

    private static let maximumHexDigitsPerHalf = 8

    private static func parseHalf(_ text: Substring) -> UInt32? {
        guard (1...maximumHexDigitsPerHalf).contains(text.utf8.count),
              text.utf8.allSatisfy({ isHexDigit($0) })
        else { return nil }
        return UInt32(text, radix: 16)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "a")...UInt8(ascii: "f"),
             UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }

    /// `16/B374D848`: the high and low 32 bits in upper-case hex, without leading zeros.
    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/"
            + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public func advanced(by bytes: UInt64) -> LSN {
        LSN(value + bytes)
    }

    /// Bytes from `other` up to this LSN (pg_wal_lsn_diff); negative if `other` is ahead.
    public func distance(from other: LSN) -> Int64 {
        Int64(bitPattern: value &- other.value)
    }

    public static func < (lhs: LSN, rhs: LSN) -> Bool {
        lhs.value < rhs.value
    }
}
