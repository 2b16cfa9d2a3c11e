// ConfigFileParser: reads postgresql.conf's syntax into (name, value, line) entries.
//
// The syntax is PostgreSQL's (guc-file.l): one `name = value` per line (the `=` is optional),
// `#` starts a comment, values are bare words/numbers (`128MB`, `on`, `5min`) or single-quoted
// strings in which `''` or `\'` stands for a quote. Names are case-insensitive. A later line for
// the same name wins. `include` directives are not supported and are reported as errors.
// Invariant: a syntax error names the file and the line, as PostgreSQL does.

public struct ConfigEntry: Sendable, Equatable {
    public var name: String
    public var value: String
    public var line: Int
}

public struct ConfigFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(message) in file \"\(file)\" line \(line)" }
}

public enum ConfigFileParser {
    public static func parse(_ text: String, file: String) throws -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var scanner = LineScanner(Array(rawLine.unicodeScalars))
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            guard let name = scanner.readName() else {
                throw ConfigFileError(file: file, line: lineNumber, message: "syntax error")
            }
            scanner.skipSpaces()
            if scanner.peek == "=" { scanner.advance(); scanner.skipSpaces() }
            let value: String
            if scanner.peek == "'" {
                guard let quoted = scanner.readQuoted() else {
                    throw ConfigFileError(file: file, line: lineNumber, message: "unterminated quoted string")
                }
                value = quoted
            } else {
                value = scanner.readBareValue()
                if value.isEmpty {
                    throw ConfigFileError(file: file, line: lineNumber, message: "syntax error near end of line")
                }
            }
            scanner.skipSpaces()
            guard scanner.atEndOrComment else {
                throw ConfigFileError(file: file, line: lineNumber, message: "syntax error")
            }
            if name == "include" || name == "include_if_exists" || name == "include_dir" {
                throw ConfigFileError(file: file, line: lineNumber, message: "\"\(name)\" directives are not supported by minipg")
            }
            entries.append(ConfigEntry(name: name, value: value, line: lineNumber))
        }
        return entries
    }
}

/// A cursor over one line of a configuration file.
private struct LineScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
    var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }
    mutating func advance() { index += 1 }

    mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { advance() }
    }

    mutating func readName() -> String? {
        var name = ""
        while let c = peek, c.properties.isAlphabetic || c.properties.numericType != nil || c == "_" || c == "." {
            name.unicodeScalars.append(c)
            advance()
        }
        return name.isEmpty ? nil : name.lowercased()
    }

    mutating func readBareValue() -> String {
        var value = ""
        while let c = peek, c != " ", c != "\t", c != "#", c != "\r" {
            value.unicodeScalars.append(c)
            advance()
        }
        return value
    }

    mutating func readQuoted() -> String? {
        advance() // opening quote
        var value = ""
        while let c = peek {
            advance()
            if c == "\\", let next = peek {
                advance()
                switch next {
                case "n": value += "\n"
                case "t": value += "\t"
                default: value.unicodeScalars.append(next)
                }
            } else if c == "'" {
                if peek == "'" { value += "'"; advance() } else { return value }
            } else {
                value.unicodeScalars.append(c)
            }
        }
        return nil
    }
}
