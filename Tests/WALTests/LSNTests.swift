// LSNTests: the one X/X format, identifiers, and pg_wal file names.

import Testing
@testable import WAL

@Suite("LSN and file names")
struct LSNTests {
    @Test func formatsLikePostgreSQL() {
        #expect(LSN(0x16B3748).description == "0/16B3748")
        #expect(LSN(0x16_B374_D848).description == "16/B374D848")
        #expect(LSN.invalid.description == "0/0")
        #expect(LSN(UInt64.max).description == "FFFFFFFF/FFFFFFFF")
    }

    @Test func parsesWhatItPrints() {
        for value: UInt64 in [0, 1, 0x16B3748, 0x16_B374_D848, 0x1_0000_0000, UInt64.max] {
            #expect(LSN(parsing: LSN(value).description) == LSN(value))
        }
        #expect(LSN(parsing: "16/b374d848") == LSN(0x16_B374_D848))
        #expect(LSN(parsing: "00000000/00000010") == LSN(0x10))
    }

    @Test(arguments: ["", "/", "1/", "/1", "1/2/3", "G/0", "0/123456789", "123456789/0", " 0/1", "0/1 ", "-1/0", "0x1/0"])
    func rejectsMalformedText(_ text: String) {
        #expect(LSN(parsing: text) == nil)
    }

    @Test func orderAndArithmetic() {
        #expect(LSN(5) < LSN(6))
        #expect(LSN(5).advanced(by: 3) == LSN(8))
        #expect(LSN(8).distance(from: LSN(5)) == 3)
        #expect(LSN(5).distance(from: LSN(8)) == -3)
        #expect(!LSN.invalid.isValid)
    }

    @Test func transactionIDs() {
        #expect(TransactionID.invalid.value == 0)
        #expect(TransactionID.bootstrap.value == 1)
        #expect(TransactionID.frozen.value == 2)
        #expect(TransactionID.firstNormal.value == 3)
        #expect(TransactionID.firstNormal.isNormal && !TransactionID.frozen.isNormal)
        #expect(TransactionID(7) < TransactionID(9))
    }

    @Test func segmentNamesMatchPostgreSQL() {
        let mib16 = 16 * 1024 * 1024
        let one = TimelineID(1)
        #expect(WALFileName.segment(containing: LSN(0x1000000), timeline: one, segmentSize: mib16)
            == "000000010000000000000001")
        #expect(WALFileName.segment(containing: LSN(0x16_B374_D848), timeline: one, segmentSize: mib16)
            == "0000000100000016000000B3")
        #expect(WALFileName.segment(timeline: TimelineID(0x2A), segmentNumber: 0x1FF, segmentSize: mib16)
            == "0000002A00000001000000FF")
        // 1 GiB segments: four per 4 GiB "xlogid".
        #expect(WALFileName.segment(containing: LSN(0x1_C000_0000), timeline: one, segmentSize: 1 << 30)
            == "000000010000000100000003")
        #expect(WALFileName.segmentNumber(of: LSN(0x16_B374_D848), segmentSize: mib16) == 0x16B3)
    }

    @Test func segmentNamesParseBack() throws {
        let mib16 = 16 * 1024 * 1024
        let parsed = try #require(WALFileName.parseSegment("0000000100000016000000B3", segmentSize: mib16))
        #expect(parsed.timeline == TimelineID(1))
        #expect(parsed.segmentNumber == 0x16B3)
        #expect(WALFileName.parseSegment("0000000100000016000001B3", segmentSize: mib16) == nil)
        #expect(WALFileName.parseSegment("0000000100000016000000b3", segmentSize: mib16) == nil)
        #expect(WALFileName.parseSegment("00000001.history", segmentSize: mib16) == nil)
        #expect(WALFileName.parseSegment("xlogtemp.123", segmentSize: mib16) == nil)
    }

    @Test func historyFileNames() {
        #expect(WALFileName.history(timeline: TimelineID(2)) == "00000002.history")
        #expect(WALFileName.history(timeline: TimelineID(0x1F)) == "0000001F.history")
        #expect(WALFileName.parseHistory("0000001F.history") == TimelineID(0x1F))
        #expect(WALFileName.parseHistory("000000010000000000000001") == nil)
    }

    @Test func segmentSizes() {
        #expect(WALFileName.isValidSegmentSize(16 * 1024 * 1024))
        #expect(WALFileName.isValidSegmentSize(1 << 20))
        #expect(!WALFileName.isValidSegmentSize(3 << 20))
        #expect(!WALFileName.isValidSegmentSize(1 << 19))
        #expect(!WALFileName.isValidSegmentSize(1 << 31))
    }
}
