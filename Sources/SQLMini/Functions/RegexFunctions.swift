// Regular-expression string functions: substring(string FROM pattern) (textregexsubstr: the first
// match, or the first parenthesised subexpression's match when there is one) and
// regexp_replace(string, pattern, replacement [, flags]) with flags g (every match) and i (case
// insensitive). In the replacement, \1..\9 insert a subexpression's match and \& the whole match,
// as in PostgreSQL. Patterns run on Foundation's NSRegularExpression, like the ~ operator.

import Foundation

enum RegexFunctions {
    static let definitions: [FunctionDefinition] = [
        .fn("substring", [.text, .text], .text) { args, _ in
            let subject = args[0].stringValue ?? ""
            let regex = try RegexFunctions.compile(args[1].stringValue ?? "", caseInsensitive: false)
            let whole = NSRange(location: 0, length: subject.utf16.count)
            guard let match = regex.firstMatch(in: subject, options: [], range: whole) else { return .null }
            let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            guard range.location != NSNotFound, let bounds = Range(range, in: subject) else { return .null }
            return .text(String(subject[bounds]))
        },
        .fn("regexp_replace", [.text, .text, .text], .text) { args, _ in
            .text(try replace(args[0].stringValue ?? "", args[1].stringValue ?? "", args[2].stringValue ?? "", flags: ""))
        },
        .fn("regexp_replace", [.text, .text, .text, .text], .text) { args, _ in
            .text(try replace(args[0].stringValue ?? "", args[1].stringValue ?? "", args[2].stringValue ?? "",
                              flags: args[3].stringValue ?? ""))
        },
    ]

    static func compile(_ pattern: String, caseInsensitive: Bool) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            throw SQLError(SQLError.invalidRegularExpression, "invalid regular expression: \(pattern)")
        }
    }

    static func replace(_ subject: String, _ pattern: String, _ replacement: String, flags: String) throws -> String {
        for flag in flags where !"gi".contains(flag) {
            throw SQLError(SQLError.invalidParameterValue, "invalid regular expression option: \"\(flag)\"")
        }
        let regex = try compile(pattern, caseInsensitive: flags.contains("i"))
        let template = nsTemplate(replacement)
        let all = NSRange(location: 0, length: subject.utf16.count)
        if flags.contains("g") {
            return regex.stringByReplacingMatches(in: subject, options: [], range: all, withTemplate: template)
        }
        guard let match = regex.firstMatch(in: subject, options: [], range: all) else { return subject }
        let result = NSMutableString(string: subject)
        result.replaceCharacters(in: match.range, with: regex.replacementString(for: match, in: subject, offset: 0, template: template))
        return result as String
    }

    /// PostgreSQL's replacement text (\1, \&, \\) as an NSRegularExpression template ($1, $0, \\).
    static func nsTemplate(_ replacement: String) -> String {
        var out = ""
        var characters = replacement.makeIterator()
        while let c = characters.next() {
            switch c {
            case "\\":
                guard let next = characters.next() else { out += "\\\\"; break }
                if next.isASCII, next.isNumber { out += "$" + String(next) }
                else if next == "&" { out += "$0" }
                else if next == "\\" { out += "\\\\" }
                else { out += "\\\\" + (next == "$" ? "\\$" : String(next)) }
            case "$": out += "\\$"
            default: out.append(c)
            }
        }
        return out
    }
}
