// CopyTextFormat: PostgreSQL's COPY text format, one row per line.
//
//   1<TAB>alice<TAB>\N<NEWLINE>          fields split by the delimiter (tab by default)
//   \N                                   the NULL marker (matched before de-escaping, like PostgreSQL)
//   \b \f \n \r \t \v \\                 backslash escapes; \123 octal, \x41 hex; `\x` for other x is x
//   \.                                   optional end-of-data line (old clients send it before CopyDone)
//
// Fields are returned as UTF-8 bytes for the column type's text input function; nil is NULL.

enum CopyTextFormat {
    static let backslash = UInt8(ascii: "\\")

    /// True for the `\.` end-of-data line.
    static func isEndMarker(_ line: [UInt8]) -> Bool {
        line.count == 2 && line[0] == backslash && line[1] == UInt8(ascii: ".")
    }

    /// Splits one line into its fields.
    static func parse(_ line: [UInt8], delimiter: UInt8, nullMarker: [UInt8]) -> [[UInt8]?] {
        var fields: [[UInt8]?] = []
        var field: [UInt8] = []
        var rawStart = 0
        var index = 0
        func finishField(rawEnd: Int) {
            // NULL is recognised on the raw text, so that `\\N` (an escaped backslash + N) is not NULL.
            if rawEnd - rawStart == nullMarker.count, line[rawStart..<rawEnd].elementsEqual(nullMarker) {
                fields.append(nil)
            } else {
                fields.append(field)
            }
            field = []
        }
        while index < line.count {
            let byte = line[index]
            if byte == delimiter {
                finishField(rawEnd: index)
                index += 1
                rawStart = index
                continue
            }
            guard byte == backslash, index + 1 < line.count else {
                field.append(byte)
                index += 1
                continue
            }
            let next = line[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "b"): field.append(0x08)
            case UInt8(ascii: "f"): field.append(0x0C)
            case UInt8(ascii: "n"): field.append(0x0A)
            case UInt8(ascii: "r"): field.append(0x0D)
            case UInt8(ascii: "t"): field.append(0x09)
            case UInt8(ascii: "v"): field.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < line.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(line[index]) {
                    value = value * 8 + Int(line[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                field.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x") where index < line.count && hexValue(line[index]) != nil:
                var value = 0
                var digits = 0
                while digits < 2, index < line.count, let digit = hexValue(line[index]) {
                    value = value * 16 + digit
                    index += 1
                    digits += 1
                }
                field.append(UInt8(truncatingIfNeeded: value))
            default:
                field.append(next)
            }
        }
        finishField(rawEnd: line.count)
        return fields
    }

    /// Appends one row (each value in text form, nil for NULL) and its newline to `output`.
    static func format(_ row: [[UInt8]?], delimiter: UInt8, nullMarker: [UInt8], into output: inout [UInt8]) {
        for (column, value) in row.enumerated() {
            if column > 0 { output.append(delimiter) }
            guard let value else {
                output.append(contentsOf: nullMarker)
                continue
            }
            for byte in value {
                switch byte {
                case backslash: output.append(backslash); output.append(backslash)
                case 0x0A: output.append(backslash); output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(backslash); output.append(UInt8(ascii: "r"))
                case 0x09 where delimiter == 0x09: output.append(backslash); output.append(UInt8(ascii: "t"))
                case 0x08: output.append(backslash); output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(backslash); output.append(UInt8(ascii: "f"))
                case 0x0B: output.append(backslash); output.append(UInt8(ascii: "v"))
                case delimiter: output.append(backslash); output.append(byte)
                default: output.append(byte)
                }
            }
        }
        output.append(CopyLineReader.newline)
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
