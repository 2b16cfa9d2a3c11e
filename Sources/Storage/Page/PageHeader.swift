// Storage: the header every page starts with (PostgreSQL's PageHeaderData), and page checksums.
//
//  0         8           12        14         16         18           20          22        24
//  +---------+-----------+---------+----------+----------+------------+-----------+---------+
//  | pd_lsn  |pd_checksum| pd_flags| pd_lower | pd_upper | pd_special | pd_version| pd_kind |
//  | u64     | u32 CRC32C| u16     | u16      | u16      | u16        | u16       | u16     |
//  +---------+-----------+---------+----------+----------+------------+-----------+---------+
//  | line pointers / page-kind data → ...  free space  ... ← tuples | special space  | 8192
//
// pd_lsn: the end LSN of the last WAL record that changed the page; the buffer pool writes the page
// only after the WAL is flushed up to it (WAL before data), and redo skips records older than it.
// pd_checksum: CRC-32C of the whole page with this field zeroed, seeded with the page number (so a
// page written at the wrong place does not verify). Set when the page is written, checked when it
// is read; an all-zero page is a "new" page (PageIsNew: extended, never written) and is accepted.
// pd_lower/pd_upper delimit the free hole (line pointers grow up to pd_lower, tuples grow down from
// pd_upper); pd_special is where the page kind's special space starts (pageSize if none).
// pd_kind says what formatted the page (heap, btree, sequence, clog) for tools and sanity checks.
import WAL

/// The size of the common page header; page kinds put their own data after it.
public let pageHeaderSize = 24
/// pd_version: the layout version of this header (PostgreSQL's PG_PAGE_LAYOUT_VERSION is 4).
let pageLayoutVersion: UInt16 = 4

/// What formatted a page (pd_kind).
enum PageKind: UInt16 {
    case unformatted = 0
    case heap = 1
    case btree = 2
    case sequence = 3
    case commitLog = 4
}

/// Typed access to the header fields of one page.
struct PageHeader {
    static let lsnOffset = 0
    static let checksumOffset = 8
    static let flagsOffset = 12
    static let lowerOffset = 14
    static let upperOffset = 16
    static let specialOffset = 18
    static let versionOffset = 20
    static let kindOffset = 22

    let bytes: UnsafeMutableRawBufferPointer

    var lsn: LSN {
        get { LSN(bytes.u64(at: Self.lsnOffset)) }
        nonmutating set { bytes.setU64(newValue.value, at: Self.lsnOffset) }
    }
    var lower: Int {
        get { Int(bytes.u16(at: Self.lowerOffset)) }
        nonmutating set { bytes.setU16(UInt16(newValue), at: Self.lowerOffset) }
    }
    var upper: Int {
        get { Int(bytes.u16(at: Self.upperOffset)) }
        nonmutating set { bytes.setU16(UInt16(truncatingIfNeeded: newValue), at: Self.upperOffset) }
    }
    var special: Int {
        get { Int(bytes.u16(at: Self.specialOffset)) }
        nonmutating set { bytes.setU16(UInt16(truncatingIfNeeded: newValue), at: Self.specialOffset) }
    }
    var kind: UInt16 { bytes.u16(at: Self.kindOffset) }

    /// PageIsNew: never formatted (pd_upper is 0 on an all-zero page).
    var isNew: Bool { bytes.u16(at: Self.upperOffset) == 0 }

    /// PageInit: an empty page with `specialSize` bytes of special space at its end. Keeps no LSN.
    func initialize(kind: PageKind, specialSize: Int = 0) {
        precondition(specialSize >= 0 && specialSize < pageSize - pageHeaderSize)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
        lower = pageHeaderSize
        upper = pageSize - specialSize
        special = pageSize - specialSize
        bytes.setU16(pageLayoutVersion, at: Self.versionOffset)
        bytes.setU16(kind.rawValue, at: Self.kindOffset)
    }

    /// Free bytes between the line pointers and the tuples.
    var freeSpace: Int { max(0, upper - lower) }

    /// True if pd_lower/pd_upper/pd_special are consistent (used before trusting them, e.g. to
    /// leave the hole out of a full-page image).
    var isSane: Bool {
        pageHeaderSize <= lower && lower <= upper && upper <= special && special <= pageSize
    }
}

/// Page checksums (PostgreSQL: pg_checksum_page). CRC-32C instead of PostgreSQL's FNV-1a variant.
enum PageChecksum {
    /// The checksum of `page` as if its checksum field were zero, seeded with its page number.
    static func compute(_ page: UnsafeRawBufferPointer, pageNumber: PageNumber) -> UInt32 {
        precondition(page.count == pageSize)
        var seed = pageNumber.value.littleEndian
        let seeded = withUnsafeBytes(of: &seed) { CRC32C.checksum($0) }
        let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: page[0..<PageHeader.checksumOffset]), continuing: seeded)
        var zero: UInt32 = 0
        let withField = withUnsafeBytes(of: &zero) { CRC32C.checksum($0, continuing: head) }
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: page[(PageHeader.checksumOffset + 4)...]), continuing: withField)
    }

    /// Stamps the checksum into a page about to be written.
    static func stamp(_ page: UnsafeMutableRawBufferPointer, pageNumber: PageNumber) {
        page.setU32(compute(UnsafeRawBufferPointer(page), pageNumber: pageNumber), at: PageHeader.checksumOffset)
    }

    /// True if the page read from disk may be used: its checksum matches, or it is all zeros.
    static func verify(_ page: UnsafeRawBufferPointer, pageNumber: PageNumber) -> Bool {
        if page.u32(at: PageHeader.checksumOffset) == compute(page, pageNumber: pageNumber) { return true }
        return page.allSatisfy { $0 == 0 }
    }
}
