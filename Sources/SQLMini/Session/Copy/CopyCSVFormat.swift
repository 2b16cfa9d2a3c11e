// CopyCSVFormat: COPY's CSV format (RFC 4180 as PostgreSQL reads and writes it).
//
//   1,"a, b","say ""hi""",,""         fields split by the delimiter; a quoted field may hold the
//                                     delimiter, newlines and doubled quotes (the ESCAPE character)
//   (unquoted empty)                  NULL by default (the NULL option); a quoted "" is an empty string
//
// Output quotes a value when it holds the delimiter, the quote, a CR or LF, or when it equals the
// NULL marker, so that every value reads back as itself.

enum CopyCSVFormat {
    /// Splits one record (which may span lines inside quotes) into its fields.
    static func parse(_ line: [UInt8], options: CopyOptions) throws -> [[UInt8]?] {
        var fields: [[UInt8]?] = []
        var index = 0
        while true {
            var field: [UInt8] = []
            var wasQuoted = false
            var rawStart = index
            var inQuotes = false
            while index < line.count {
                let byte = line[index]
                if inQuotes {
                    // ESCAPE before a quote (or before itself) makes that character literal;
                    // with the default ESCAPE = QUOTE this is the doubled quote `""`.
                    if byte == options.escape, index + 1 < line.count,
                       line[index + 1] == options.quote || line[index + 1] == options.escape {
                        field.append(line[index + 1])
                        index += 2
                        continue
                    }
                    if byte == options.quote {
                        inQuotes = false
                        index += 1
                        continue
                    }
                    field.append(byte)
                    index += 1
                    continue
                }
                if byte == options.delimiter { break }
                if byte == options.quote {
                    inQuotes = true
                    wasQuoted = true
                    index += 1
                    continue
                }
                field.append(byte)
                index += 1
            }
            if inQuotes {
                throw SQLError(CopyOptions.badCopyFileFormat, "unterminated CSV quoted field")
            }
            let isNull = !wasQuoted && line[rawStart..<index].elementsEqual(options.nullMarker)
            fields.append(isNull ? nil : field)
            guard index < line.count else { break }
            index += 1          // the delimiter
            rawStart = index
        }
        return fields
    }

    /// Appends one row (text form of each value, nil for NULL) and its newline to `output`.
    static func format(_ row: [[UInt8]?], options: CopyOptions, into output: inout [UInt8]) {
        for (column, value) in row.enumerated() {
            if column > 0 { output.append(options.delimiter) }
            guard let value else {
                output.append(contentsOf: options.nullMarker)
                continue
            }
            let needsQuotes = value.isEmpty && options.nullMarker.isEmpty
                || value.elementsEqual(options.nullMarker)
                || value.contains { $0 == options.delimiter || $0 == options.quote || $0 == 0x0A || $0 == 0x0D }
                || (value.count == 2 && value[0] == CopyTextFormat.backslash && value[1] == UInt8(ascii: "."))
            guard needsQuotes else {
                output.append(contentsOf: value)
                continue
            }
            output.append(options.quote)
            for byte in value {
                if byte == options.quote || byte == options.escape { output.append(options.escape) }
                output.append(byte)
            }
            output.append(options.quote)
        }
        output.append(CopyLineReader.newline)
    }
}
