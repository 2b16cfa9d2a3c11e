// Page 0 of every B-tree: where the root is (PostgreSQL's BTMetaPageData).
//
//  0            24        28          32         36         40                            8192
//  +------------+---------+-----------+----------+----------+------------------------------+
//  | page header| magic   | version   | root     | level    |  (unused, zero)              |
//  | pd_kind =  | u32     | u32       | u32      | u32      |                              |
//  | btree      | 0x053162| 1         | page no. | of root  |                              |
//  +------------+---------+-----------+----------+----------+------------------------------+
//                                                           └ pd_lower   pd_upper = 8192 ┘
//
// root is 0 while the tree is empty (no root page yet); level is the root's level, so the height
// of the tree is level + 1. The root moves only when it splits: the split that creates the new
// root also rewrites this page, in the same WAL record.
// pd_lower is set to the end of the data, so that a full-page image can leave the rest out.

struct BTreeMetaPage {
    /// PostgreSQL's BTREE_MAGIC, so that a hex dump looks familiar.
    static let magic: UInt32 = 0x053162
    /// The layout version of minipg's B-tree pages.
    static let version: UInt32 = 1
    static let pageNumber: UInt32 = 0

    private static let magicOffset = pageHeaderSize
    private static let versionOffset = pageHeaderSize + 4
    private static let rootOffset = pageHeaderSize + 8
    private static let levelOffset = pageHeaderSize + 12
    private static let dataEnd = pageHeaderSize + 16

    let bytes: UnsafeMutableRawBufferPointer

    init(_ bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count == pageSize, "a B-tree metapage is \(pageSize) bytes")
        self.bytes = bytes
    }

    /// Formats an empty tree's metapage (no root yet). Keeps the page LSN.
    static func format(_ bytes: UnsafeMutableRawBufferPointer) {
        let header = PageHeader(bytes: bytes)
        let lsn = header.lsn
        header.initialize(kind: .btree)
        header.lsn = lsn
        header.lower = dataEnd
        bytes.setU32(magic, at: magicOffset)
        bytes.setU32(version, at: versionOffset)
        let meta = BTreeMetaPage(bytes)
        meta.root = 0
        meta.level = 0
    }

    var isValid: Bool {
        PageHeader(bytes: bytes).kind == PageKind.btree.rawValue
            && bytes.u32(at: Self.magicOffset) == Self.magic
            && bytes.u32(at: Self.versionOffset) == Self.version
    }

    var root: UInt32 {
        get { bytes.u32(at: Self.rootOffset) }
        nonmutating set { bytes.setU32(newValue, at: Self.rootOffset) }
    }

    var level: Int {
        get { Int(bytes.u32(at: Self.levelOffset)) }
        nonmutating set { bytes.setU32(UInt32(newValue), at: Self.levelOffset) }
    }
}
