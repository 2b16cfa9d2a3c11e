// PatternMatching: LIKE/ILIKE (`%` any run, `_` one character, `\` escapes the next character)
// and POSIX regular expressions (`~`, `~*`) as PostgreSQL evaluates them. LIKE is matched here
// by a small backtracking matcher over Unicode scalars; regular expressions use Foundation's
// NSRegularExpression, compiled once per distinct pattern and cached (a query usually compares
// every row against the same constant pattern, such as psql's '^(mimuw)$' or '^pg_toast').

import Foundation
import Synchronization

final class PatternCache: Sendable {
    /// How many compiled regular expressions one operator keeps.
    static let maxCachedPatterns = 32

    let isRegex: Bool
    let caseInsensitive: Bool
    private let compiled = Mutex<[String: RegexBox]>([:])

    init(isRegex: Bool, caseInsensitive: Bool) {
        self.isRegex = isRegex
        self.caseInsensitive = caseInsensitive
    }

    func matches(_ subject: String, pattern: String) throws -> Bool {
        if !isRegex {
            return try Like.matches(subject, pattern: pattern, caseInsensitive: caseInsensitive)
        }
        let regex = try compiled.withLock { cache -> RegexBox in
            if let hit = cache[pattern] { return hit }
            let box = try RegexBox(pattern: pattern, caseInsensitive: caseInsensitive)
            if cache.count >= PatternCache.maxCachedPatterns { cache.removeAll() }
            cache[pattern] = box
            return box
        }
        return regex.firstMatch(in: subject)
    }
}

/// A compiled NSRegularExpression; immutable after init, so safe to share.
final class RegexBox: @unchecked Sendable {
    private let regex: NSRegularExpression

    init(pattern: String, caseInsensitive: Bool) throws {
        do {
            regex = try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            throw SQLError(SQLError.invalidRegularExpression, "invalid regular expression: \(pattern)")
        }
    }

    func firstMatch(in subject: String) -> Bool {
        regex.firstMatch(in: subject, options: [], range: NSRange(location: 0, length: subject.utf16.count)) != nil
    }
}

/// SQL LIKE: `%` matches any sequence, `_` exactly one character, the escape character (default
/// backslash) makes the next character literal.
public enum Like {
    public static func matches(_ subject: String, pattern: String, caseInsensitive: Bool = false,
                               escape: Character? = "\\") throws -> Bool {
        let s = Array((caseInsensitive ? subject.lowercased() : subject).unicodeScalars)
        let p = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
        let escapeScalar = escape?.unicodeScalars.first
        // Compile to tokens first so the matcher need not re-interpret escapes.
        enum Token: Equatable { case any, one, literal(Unicode.Scalar) }
        var tokens: [Token] = []
        var i = 0
        while i < p.count {
            let c = p[i]
            if let e = escapeScalar, c == e {
                guard i + 1 < p.count else {
                    throw SQLError(SQLError.invalidEscapeSequence, "LIKE pattern must not end with escape character")
                }
                tokens.append(.literal(p[i + 1]))
                i += 2
                continue
            }
            if c == "%" { if tokens.last != .any { tokens.append(.any) } }
            else if c == "_" { tokens.append(.one) }
            else { tokens.append(.literal(c)) }
            i += 1
        }
        // Iterative matcher with one backtrack point per '%' (the classic wildcard algorithm).
        var si = 0, ti = 0
        var starToken = -1, starSubject = 0
        while si < s.count {
            if ti < tokens.count {
                switch tokens[ti] {
                case .one: si += 1; ti += 1; continue
                case .literal(let c) where c == s[si]: si += 1; ti += 1; continue
                case .any: starToken = ti; starSubject = si; ti += 1; continue
                default: break
                }
            }
            guard starToken >= 0 else { return false }
            ti = starToken + 1
            starSubject += 1
            si = starSubject
        }
        while ti < tokens.count, tokens[ti] == .any { ti += 1 }
        return ti == tokens.count
    }
}
