// ConfigFileParser: reads postgresql.conf syntax into (name, value, line) entries without
// interpreting them:
//
//   # comment
//   name = value            # '=' is optional; a value is a bare token (128MB, on, 5min, 0700)
//   name = 'quoted value'   # '' or \' for a quote inside
//
// Later lines override earlier ones (the caller applies entries in order).

public struct ConfigFileEntry: Sendable, Equatable {
    public var name: String
    public var value: String
    public var line: Int
}

public enum ConfigFileParser {
    public static func parse(_ contents: String, fileName: String = "postgresql.conf") throws -> [ConfigFileEntry] {
        var entries: [ConfigFileEntry] = []
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var chars = Array(rawLine)[...]
            func skipSpaces() { while let c = chars.first, c == " " || c == "\t" || c == "\r" { chars = chars.dropFirst() } }
            func syntaxError(_ near: String) -> SQLError {
                SQLError(SQLError.syntaxError, "syntax error in file \"\(fileName)\" line \(lineNumber), near token \"\(near)\"")
            }
            skipSpaces()
            if chars.isEmpty || chars.first == "#" { continue }
            var name = ""
            while let c = chars.first, c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" {
                name.append(c)
                chars = chars.dropFirst()
            }
            guard !name.isEmpty else { throw syntaxError(String(chars.prefix(1))) }
            skipSpaces()
            if chars.first == "=" { chars = chars.dropFirst(); skipSpaces() }
            var value = ""
            if chars.first == "'" {
                chars = chars.dropFirst()
                var closed = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if c == "\\", let next = chars.first { value.append(next); chars = chars.dropFirst(); continue }
                    if c == "'" {
                        if chars.first == "'" { value.append("'"); chars = chars.dropFirst(); continue }
                        closed = true
                        break
                    }
                    value.append(c)
                }
                guard closed else { throw syntaxError("'" + value) }
            } else {
                while let c = chars.first, c != " ", c != "\t", c != "#", c != "\r" {
                    value.append(c)
                    chars = chars.dropFirst()
                }
                guard !value.isEmpty else { throw syntaxError(String(chars.prefix(1))) }
            }
            skipSpaces()
            guard chars.isEmpty || chars.first == "#" else { throw syntaxError(String(chars.prefix(while: { $0 != " " }))) }
            if name == "include" || name == "include_if_exists" || name == "include_dir" {
                throw SQLError(SQLError.featureNotSupported, "\(name) directives are not supported (file \"\(fileName)\" line \(lineNumber))")
            }
            entries.append(ConfigFileEntry(name: name, value: value, line: lineNumber))
        }
        return entries
    }
}
