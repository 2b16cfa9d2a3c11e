// WALFileName: the names of files in pg_wal/, exactly as PostgreSQL spells them.
//
// A segment file holds `segmentSize` bytes of the WAL stream: segment number n covers LSNs
// [n * segmentSize, (n + 1) * segmentSize). Its name is three 8-digit upper-case hex numbers:
//
//   TTTTTTTT XXXXXXXX YYYYYYYY     timeline, n / segmentsPerXLogID, n % segmentsPerXLogID
//   00000001 00000000 00000001     LSN 0/1000000 on timeline 1 with 16 MiB segments
//
// where segmentsPerXLogID = 2^32 / segmentSize (0x100 for 16 MiB), so the middle and last parts
// are the high and low halves of the LSN, as in `X/X`. A timeline history file is `0000000N.history`.

public enum WALFileName {
    /// Smallest and largest segment sizes PostgreSQL allows (powers of two in between).
    public static let minimumSegmentSize = 1 << 20
    public static let maximumSegmentSize = 1 << 30

    private static let xlogIDSpan: UInt64 = 1 << 32
    private static let segmentNameLength = 24
    private static let historySuffix = ".history"

    public static func isValidSegmentSize(_ size: Int) -> Bool {
        size >= minimumSegmentSize && size <= maximumSegmentSize && size & (size - 1) == 0
    }

    public static func segmentNumber(of lsn: LSN, segmentSize: Int) -> UInt64 {
        lsn.value / UInt64(segmentSize)
    }

    /// The first LSN of a segment.
    public static func startLSN(ofSegment segmentNumber: UInt64, segmentSize: Int) -> LSN {
        LSN(segmentNumber * UInt64(segmentSize))
    }

    public static func segment(timeline: TimelineID, segmentNumber: UInt64, segmentSize: Int) -> String {
        let perXLogID = xlogIDSpan / UInt64(segmentSize)
        return hex8(UInt64(timeline.value)) + hex8(segmentNumber / perXLogID) + hex8(segmentNumber % perXLogID)
    }

    /// The segment file that holds `lsn`.
    public static func segment(containing lsn: LSN, timeline: TimelineID, segmentSize: Int) -> String {
        segment(timeline: timeline, segmentNumber: segmentNumber(of: lsn, segmentSize: segmentSize),
                segmentSize: segmentSize)
    }

    /// `00000002.history`: how the timeline branched off its parent.
    public static func history(timeline: TimelineID) -> String {
        hex8(UInt64(timeline.value)) + historySuffix
    }

    /// The timeline and segment number of a segment file name; nil for any other name.
    public static func parseSegment(_ name: String, segmentSize: Int) -> (timeline: TimelineID, segmentNumber: UInt64)? {
        let utf8 = Array(name.utf8)
        guard utf8.count == segmentNameLength,
              let timeline = parseHex(utf8[0..<8]),
              let high = parseHex(utf8[8..<16]),
              let low = parseHex(utf8[16..<24])
        else { return nil }
        let perXLogID = xlogIDSpan / UInt64(segmentSize)
        guard UInt64(low) < perXLogID else { return nil }
        return (TimelineID(timeline), UInt64(high) * perXLogID + UInt64(low))
    }

    /// The timeline of a `0000000N.history` name; nil for any other name.
    public static func parseHistory(_ name: String) -> TimelineID? {
        guard name.hasSuffix(historySuffix) else { return nil }
        let digits = Array(name.utf8.dropLast(historySuffix.utf8.count))
        guard digits.count == 8 else { return nil }
        return parseHex(digits[...]).map(TimelineID.init)
    }

    private static func hex8(_ value: UInt64) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// 8 upper-case hex digits (PostgreSQL writes them upper-case; lower-case is not its name).
    private static func parseHex(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
