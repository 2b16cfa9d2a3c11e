// ScalarText: the lexer and the parser see SQL as an array of Unicode scalars (token positions
// count scalars, as PostgreSQL's error positions count characters); this turns a run of them back
// into a String — every token's text and every statement's source text go through it.
//
// Through UTF-8 bytes, because appending scalars to a String.UnicodeScalarView costs some hundred
// instructions per scalar: it was a fifth of the CPU time of pgbench's short statements.

extension String {
    /// The text of `scalars`; with `foldingASCIIUppercase`, A-Z become a-z and nothing else
    /// changes (PostgreSQL's downcase_identifier).
    init(scalars: ArraySlice<Unicode.Scalar>, foldingASCIIUppercase: Bool = false) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                var byte = UInt8(truncatingIfNeeded: scalar.value)
                if foldingASCIIUppercase, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
                bytes.append(byte)
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
