// format(formatstr, VARIADIC "any"): PostgreSQL's text_format. Conversions: %s (the value's text,
// NULL as empty), %I (quote_ident; NULL is an error), %L (quote_literal, NULL as NULL) and %%;
// each may take an argument position `%2$s` and a width `%-10s` / `%*s` (width from an argument).
//
// Invariants: an argument is printed with its type's output function, as PostgreSQL does;
// malformed format strings fail with PostgreSQL's 22023 messages.

enum FormatFunction {
    static let definitions: [FunctionDefinition] = [
        FunctionDefinition("format", [.type(.text), .any], returns: .text, strict: false, variadic: true) { args, types, _ in
            guard let format = args[0].stringValue else { return .null }
            return .text(try apply(format, Array(args.dropFirst()), Array(types.dropFirst())))
        },
    ]

    private static func invalid(_ message: String) -> SQLError {
        SQLError(SQLError.invalidParameterValue, message)
    }

    static func apply(_ format: String, _ values: [Value], _ types: [SQLType]) throws -> String {
        let chars = Array(format.unicodeScalars)
        var out = String.UnicodeScalarView()
        var next = 0           // the next argument used when no position is given
        var i = 0
        func readNumber() -> Int? {
            var n: Int? = nil
            while i < chars.count, let digit = Int(String(chars[i])), chars[i].isASCII {
                n = (n ?? 0) * 10 + digit
                i += 1
            }
            return n
        }
        func argument(_ index: Int) throws -> (Value, SQLType) {
            guard index < values.count else { throw invalid("too few arguments for format()") }
            return (values[index], types[index])
        }
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else { out.append(c); continue }
            guard i < chars.count else { throw invalid("unterminated format() type specifier") }
            if chars[i] == "%" { out.append("%"); i += 1; continue }
            // [position$][flags][width][type]
            let start = i
            if let n = readNumber(), i < chars.count, chars[i] == "$" {
                guard n > 0 else { throw invalid("format specifies argument 0, but arguments are numbered from 1") }
                next = n - 1
                i += 1
            } else {
                i = start
            }
            var leftAlign = false
            while i < chars.count, chars[i] == "-" { leftAlign = true; i += 1 }
            var width = 0
            if i < chars.count, chars[i] == "*" {
                i += 1
                let (value, type) = try argument(next)
                next += 1
                let w = Int(value.text(as: type) ?? "0") ?? 0
                if w < 0 { leftAlign = true }
                width = abs(w)
            } else if let n = readNumber() {
                width = n
            }
            guard i < chars.count else { throw invalid("unterminated format() type specifier") }
            let conversion = chars[i]
            i += 1
            let (value, type) = try argument(next)
            next += 1
            let text: String
            switch conversion {
            case "s":
                text = value.text(as: type) ?? ""
            case "I":
                guard let name = value.text(as: type) else { throw SQLError(SQLError.nullValueNotAllowed, "null values cannot be formatted as an SQL identifier") }
                text = StringFunctions.quoteIdentifier(name)
            case "L":
                text = value.text(as: type).map(StringFunctions.quoteLiteral) ?? "NULL"
            default:
                throw SQLError(SQLError.invalidParameterValue, "unrecognized format() type specifier \"\(conversion)\"",
                               hint: "For a single \"%\" use \"%%\".")
            }
            let padding = String(repeating: " ", count: max(0, width - text.unicodeScalars.count))
            out.append(contentsOf: (leftAlign ? text + padding : padding + text).unicodeScalars)
        }
        return String(out)
    }
}
