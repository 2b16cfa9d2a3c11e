// SyncStandbyNames: `synchronous_standby_names` parsed (PostgreSQL's syncrep_gram.y):
//
//   ''                          no synchronous replication
//   a, b, c   |   *             FIRST 1 (a, b, c): the first connected in list order is synchronous
//   N (a, b, c)                 FIRST N (...), the old spelling
//   FIRST N (a, b, c)           priority: the N connected standbys earliest in the list
//   ANY N (a, b, c)             quorum: any N of them
//
// Names match application_name case-insensitively ("quoted" names keep their spelling but still
// compare case-insensitively, as in PostgreSQL); `*` matches every standby.

import PGWire

public struct SyncStandbyNames: Equatable, Sendable {
    public enum Method: Equatable, Sendable { case priority, quorum }

    public var method: Method
    public var count: Int
    public var names: [String]

    /// nil for the empty setting (no synchronous standbys).
    public static func parse(_ text: String) throws(PGError) -> SyncStandbyNames? {
        var tokens = try ReplicationTokenizer.tokenize(text)
        guard !tokens.isEmpty else { return nil }
        var method = Method.priority
        var count = 1
        if case .word(let first) = tokens[0], ["FIRST", "ANY"].contains(first.uppercased()),
           tokens.count > 2, case .word(let number) = tokens[1], Int(number) != nil {
            method = first.uppercased() == "ANY" ? .quorum : .priority
            tokens.removeFirst()
        }
        if case .word(let number) = tokens[0], let value = Int(number), tokens.count > 1, tokens[1] == .openParenthesis {
            count = value
            guard tokens.last == .closeParenthesis else { throw invalid(text) }
            tokens = Array(tokens[2..<(tokens.count - 1)])
        }
        var names: [String] = []
        var expectName = true
        for token in tokens {
            switch (token, expectName) {
            case (.word(let name), true), (.quotedIdentifier(let name), true):
                names.append(name)
                expectName = false
            case (.comma, false):
                expectName = true
            default:
                throw invalid(text)
            }
        }
        guard !names.isEmpty, !expectName, count > 0 else { throw invalid(text) }
        return SyncStandbyNames(method: method, count: count, names: names)
    }

    /// sync_priority of a standby: its 1-based position in the list (1 for every listed standby
    /// in quorum mode); 0 if it is not listed (asynchronous).
    public func priority(of applicationName: String) -> Int {
        guard let index = names.firstIndex(where: { $0 == "*" || $0.lowercased() == applicationName.lowercased() }) else {
            return 0
        }
        return method == .quorum ? 1 : index + 1
    }

    private static func invalid(_ text: String) -> PGError {
        PGError(sqlState: "22023", message: "invalid value for parameter \"synchronous_standby_names\": \"\(text)\"")
    }
}
