// ReplicationTokenizer: splits a replication command into words ('IDENTIFY_SYSTEM', 'slot_name',
// '0/16B3748', '42'), 'string' literals (with '' for a quote), "quoted identifiers" (with "" for a
// double quote), parentheses, commas and a semicolon. Whitespace separates; nothing else is special.

import PGWire

enum ReplicationToken: Equatable {
    case word(String)
    case string(String)
    case quotedIdentifier(String)
    case openParenthesis
    case closeParenthesis
    case comma
    case semicolon
}

enum ReplicationTokenizer {
    static func tokenize(_ text: String) throws(PGError) -> [ReplicationToken] {
        var tokens: [ReplicationToken] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case _ where character.isWhitespace:
                index += 1
            case "(": tokens.append(.openParenthesis); index += 1
            case ")": tokens.append(.closeParenthesis); index += 1
            case ",": tokens.append(.comma); index += 1
            case ";": tokens.append(.semicolon); index += 1
            case "'", "\"":
                let (body, end) = try quoted(characters, from: index)
                tokens.append(character == "'" ? .string(body) : .quotedIdentifier(body))
                index = end
            default:
                var end = index
                while end < characters.count, !characters[end].isWhitespace, !"(),;'\"".contains(characters[end]) {
                    end += 1
                }
                tokens.append(.word(String(characters[index..<end])))
                index = end
            }
        }
        return tokens
    }

    /// The body of the quoted token starting at `start` (doubled quotes collapsed) and the index after it.
    private static func quoted(_ characters: [Character], from start: Int) throws(PGError) -> (String, Int) {
        let quote = characters[start]
        var body = ""
        var index = start + 1
        while index < characters.count {
            if characters[index] == quote {
                if index + 1 < characters.count, characters[index + 1] == quote {
                    body.append(quote)
                    index += 2
                    continue
                }
                return (body, index + 1)
            }
            body.append(characters[index])
            index += 1
        }
        throw PGError(sqlState: "42601", message: quote == "'" ? "unterminated quoted string" : "unterminated quoted identifier")
    }
}
