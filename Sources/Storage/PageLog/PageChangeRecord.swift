// Storage: the generic page-change WAL record (like PostgreSQL's generic_xlog.c), and its redo.
//
// One record covers every page a change touched (a heap update's two pages, a B-tree split's
// three), so redo applies them together:
//
//   payload:  pageCount u8 | page entry ...
//             (info pageChangesRemovingVersions: conflictHorizon u32 first, see conflictHorizon(of:))
//   page entry:
//     relation u32 | page u32 | form u8
//     form 0 (ranges):  rangeCount u16 | { offset u16 | length u16 | bytes[length] } ...
//     form 1 (image):   holeOffset u16 | holeLength u16 | bytes[pageSize - holeLength]
//     form 2 (zstd):    holeOffset u16 | holeLength u16 | compressedLength u32 | bytes[...]
//
// An image is the whole page after the change, minus the free hole between pd_lower and pd_upper
// (all zeros on a sane page, so redo refills it with zeros). Ranges are the bytes that differ
// between the page before and after the change, gaps shorter than `rangeMergeGapBytes` merged.
//
// Redo is idempotent: a page whose pd_lsn is at or past the record's end is left alone; otherwise
// the image replaces it (without reading the old page from disk) or the ranges are copied in, and
// pd_lsn becomes the record's end.
import Glibc
import WAL

enum PageChangeForm: UInt8 {
    case ranges = 0
    case image = 1
    case compressedImage = 2
}

/// A range header costs 4 bytes, so a gap of fewer equal bytes is cheaper to copy than to split on.
let rangeMergeGapBytes = 8

/// The diff compares aligned blocks of this many bytes with memcmp before looking at single bytes.
let diffSkipBlockBytes = 64

enum PageChangeRecord {
    /// Appends one page's entry: an image if `image`, else the ranges where `after` differs from `before`.
    static func encodePage(_ writer: inout ByteWriter, relation: RelationID, page: PageNumber,
                           before: UnsafeRawBufferPointer, after: UnsafeRawBufferPointer,
                           image: Bool, compression: WALCompression) throws {
        writer.u32(relation.value)
        writer.u32(page.value)
        if image {
            let header = PageHeader(bytes: UnsafeMutableRawBufferPointer(mutating: after))
            let (holeOffset, holeLength) = header.isSane ? (header.lower, header.upper - header.lower) : (0, 0)
            var compact = [UInt8]()
            compact.reserveCapacity(pageSize - holeLength)
            compact.append(contentsOf: after[0..<holeOffset])
            compact.append(contentsOf: after[(holeOffset + holeLength)...])
            if compression == .zstd {
                let compressed = try compact.withUnsafeBytes { try FullPageImageCodec.compress($0) }
                writer.u8(PageChangeForm.compressedImage.rawValue)
                writer.u16(UInt16(holeOffset)); writer.u16(UInt16(holeLength))
                writer.u32(UInt32(compressed.count))
                writer.append(compressed)
            } else {
                writer.u8(PageChangeForm.image.rawValue)
                writer.u16(UInt16(holeOffset)); writer.u16(UInt16(holeLength))
                writer.append(compact)
            }
            return
        }
        writer.u8(PageChangeForm.ranges.rawValue)
        let countOffset = writer.bytes.count
        writer.u16(0)
        var count: UInt16 = 0
        guard let beforeBase = before.baseAddress, let afterBase = after.baseAddress else { return }
        var i = 0
        while i < pageSize {
            // Equal stretches are skipped a block at a time with memcmp (most of a page does not
            // change; memcmp is vectorised even in debug builds, where a Swift loop is not).
            if i % diffSkipBlockBytes == 0, i + diffSkipBlockBytes <= pageSize,
               memcmp(beforeBase + i, afterBase + i, diffSkipBlockBytes) == 0 {
                i += diffSkipBlockBytes
                continue
            }
            if before[i] == after[i] { i += 1; continue }
            let start = i
            var end = i + 1          // exclusive end of the range being built
            var j = end
            while j < pageSize {
                if before[j] != after[j] { end = j + 1; j += 1; continue }
                if j - end >= rangeMergeGapBytes { break }
                j += 1
            }
            writer.u16(UInt16(start)); writer.u16(UInt16(end - start))
            writer.append(UnsafeRawBufferPointer(rebasing: after[start..<end]))
            count += 1
            i = end
        }
        writer.bytes[countOffset] = UInt8(count & 0xFF)
        writer.bytes[countOffset + 1] = UInt8(count >> 8)
    }

    /// One page's change, decoded.
    struct PageChange {
        var relation: RelationID
        var page: PageNumber
        var form: PageChangeForm
        var holeOffset = 0, holeLength = 0
        var imageBytes: [UInt8] = []              // form image/compressedImage: page minus hole
        var ranges: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
    }

    static func decode(_ payload: [UInt8]) throws -> [PageChange] {
        var reader = ByteReader(payload)
        let count = Int(try reader.u8())
        var changes: [PageChange] = []
        for _ in 0..<count {
            let relation = RelationID(try reader.u32())
            let page = PageNumber(try reader.u32())
            guard let form = PageChangeForm(rawValue: try reader.u8()) else {
                throw StorageError(.invalidState, "unknown page change form in WAL record")
            }
            var change = PageChange(relation: relation, page: page, form: form)
            switch form {
            case .ranges:
                let ranges = Int(try reader.u16())
                for _ in 0..<ranges {
                    let offset = Int(try reader.u16()), length = Int(try reader.u16())
                    guard offset + length <= pageSize else { throw StorageError(.invalidState, "page change range beyond the page") }
                    change.ranges.append((offset, try reader.take(length)))
                }
            case .image, .compressedImage:
                change.holeOffset = Int(try reader.u16())
                change.holeLength = Int(try reader.u16())
                guard change.holeOffset + change.holeLength <= pageSize else {
                    throw StorageError(.invalidState, "page image hole beyond the page")
                }
                let imageSize = pageSize - change.holeLength
                if form == .image {
                    change.imageBytes = Array(try reader.take(imageSize))
                } else {
                    let length = Int(try reader.u32())
                    change.imageBytes = try FullPageImageCodec.decompress(Array(try reader.take(length)), pageSize: imageSize)
                    guard change.imageBytes.count == imageSize else {
                        throw StorageError(.invalidState, "page image decompressed to \(change.imageBytes.count) bytes, expected \(imageSize)")
                    }
                }
            }
            changes.append(change)
        }
        return changes
    }

    /// Applies one decoded change to a page (the caller checked pd_lsn), then stamps `lsn`.
    static func apply(_ change: PageChange, to page: UnsafeMutableRawBufferPointer, lsn: LSN) {
        switch change.form {
        case .ranges:
            for range in change.ranges {
                range.bytes.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(rebasing: page[range.offset..<range.offset + src.count]).copyMemory(from: src)
                }
            }
        case .image, .compressedImage:
            change.imageBytes.withUnsafeBytes { src in
                let head = change.holeOffset
                UnsafeMutableRawBufferPointer(rebasing: page[0..<head]).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<head]))
                UnsafeMutableRawBufferPointer(rebasing: page[head..<head + change.holeLength]).initializeMemory(as: UInt8.self, repeating: 0)
                UnsafeMutableRawBufferPointer(rebasing: page[(head + change.holeLength)...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[head...]))
            }
        }
        PageHeader(bytes: page).lsn = lsn
    }

    /// Redo of a generic page-change record: same code after a crash and on a standby.
    /// The newest xid whose row versions the record removes; nil for a record removing none.
    static func conflictHorizon(of record: WALRecord) throws -> TransactionID? {
        guard record.info == GenericInfo.pageChangesRemovingVersions else { return nil }
        var reader = ByteReader(record.payload)
        return TransactionID(try reader.u32())
    }

    static func redo(_ record: WALRecord, pool: BufferPool) throws {
        let pageChanges = record.info == GenericInfo.pageChangesRemovingVersions ? Array(record.payload.dropFirst(4)) : record.payload
        let changes = try decode(pageChanges)
        var guards: [PageGuard] = []
        defer { for g in guards where !g.isReleased { g.release() } }
        for change in changes {
            guards.append(try pool.readForRedo(change.relation, change.page, zeroFill: change.form != .ranges))
        }
        for (change, page) in zip(changes, guards) where page.lsn < record.endLSN {
            apply(change, to: page.bytes, lsn: record.endLSN)
            page.markDirty()
        }
    }
}
