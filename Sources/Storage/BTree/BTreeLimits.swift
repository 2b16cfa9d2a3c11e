// The size limit on B-tree keys, and the error for a key beyond it.
//
// A split must always be able to put at least one item on each side and still have room for the
// separator it pushes up, so an item may take at most about a third of a page — PostgreSQL's limit
// is 2704 bytes for an 8 KiB page (BTMaxItemSize). minipg rounds down to 2000 bytes of key, which
// leaves room for three items of the largest size per page (3 × 2016 < 8160).

/// The longest key, in bytes, that a B-tree accepts.
let btreeMaximumKeyLength = 2000

func btreeKeyTooLong(_ length: Int) -> StorageError {
    // PostgreSQL: 54000 "index row size 2720 exceeds btree version 4 maximum 2704 for index "x""
    StorageError(.rowTooBig, "index row size \(length) exceeds btree maximum \(btreeMaximumKeyLength)")
}
