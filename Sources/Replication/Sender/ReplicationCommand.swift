// ReplicationCommand: the commands a replication connection accepts (PostgreSQL's repl_gram.y),
// as a value, and the parser that turns the simple-query text into one.
//
//   IDENTIFY_SYSTEM
//   SHOW name
//   TIMELINE_HISTORY tli
//   START_REPLICATION [SLOT name] [PHYSICAL] X/X [TIMELINE tli]
//   CREATE_REPLICATION_SLOT name [TEMPORARY] PHYSICAL [RESERVE_WAL | ( RESERVE_WAL [bool] [, ...] )]
//   DROP_REPLICATION_SLOT name [WAIT]
//   READ_REPLICATION_SLOT name
//   BASE_BACKUP [( option [value] [, ...] )]
//
// Keywords are case-insensitive; names are identifiers (folded to lower case) or "quoted"; a
// trailing `;` is allowed. Text that does not start with one of these keywords is SQL (parse
// returns nil); a malformed replication command is PostgreSQL's `syntax error` (42601).

import PGWire
import WAL

public enum ReplicationCommand: Equatable, Sendable {
    case identifySystem
    case show(String)
    case timelineHistory(TimelineID)
    case startReplication(slot: String?, start: LSN, timeline: TimelineID?)
    case createSlot(name: String, temporary: Bool, reserveWAL: Bool)
    case dropSlot(name: String, wait: Bool)
    case readSlot(name: String)
    case baseBackup(BaseBackupOptions)

    /// The command in `text`, nil if the text is not a replication command (it is SQL).
    public static func parse(_ text: String) throws(PGError) -> ReplicationCommand? {
        var tokens = try ReplicationTokenizer.tokenize(text)
        if tokens.last == .semicolon { tokens.removeLast() }
        guard case .word(let first)? = tokens.first else { return nil }
        var parser = Parser(tokens: tokens, position: 1)
        let command: ReplicationCommand
        switch first.uppercased() {
        case "IDENTIFY_SYSTEM": command = .identifySystem
        case "SHOW": command = .show(try parser.name())
        case "TIMELINE_HISTORY": command = .timelineHistory(try parser.timeline())
        case "START_REPLICATION": command = try parser.startReplication()
        case "CREATE_REPLICATION_SLOT": command = try parser.createSlot()
        case "DROP_REPLICATION_SLOT":
            let name = try parser.name()
            command = .dropSlot(name: name, wait: parser.keyword("WAIT"))
        case "READ_REPLICATION_SLOT": command = .readSlot(name: try parser.name())
        case "BASE_BACKUP": command = .baseBackup(try parser.baseBackupOptions())
        default: return nil
        }
        guard parser.isAtEnd else { throw syntaxError() }
        return command
    }

    static func syntaxError() -> PGError {
        PGError(sqlState: "42601", message: "syntax error")
    }

    private struct Parser {
        let tokens: [ReplicationToken]
        var position: Int

        var isAtEnd: Bool { position == tokens.count }

        mutating func next() -> ReplicationToken? {
            guard position < tokens.count else { return nil }
            defer { position += 1 }
            return tokens[position]
        }

        /// Consumes `word` if it comes next (case-insensitive).
        mutating func keyword(_ word: String) -> Bool {
            guard position < tokens.count, case .word(let text) = tokens[position],
                  text.uppercased() == word else { return false }
            position += 1
            return true
        }

        mutating func expect(_ token: ReplicationToken) throws(PGError) {
            guard next() == token else { throw syntaxError() }
        }

        /// An identifier (folded to lower case, as PostgreSQL does) or a "quoted" one (kept as is).
        mutating func name() throws(PGError) -> String {
            switch next() {
            case .word(let text): return text.lowercased()
            case .quotedIdentifier(let text): return text
            default: throw syntaxError()
            }
        }

        mutating func timeline() throws(PGError) -> TimelineID {
            guard case .word(let text)? = next(), let value = UInt32(text), value > 0 else { throw syntaxError() }
            return TimelineID(value)
        }

        mutating func startReplication() throws(PGError) -> ReplicationCommand {
            var slot: String?
            if keyword("SLOT") { slot = try name() }
            _ = keyword("PHYSICAL")
            guard case .word(let text)? = next(), let start = LSN(parsing: text) else { throw syntaxError() }
            var timeline: TimelineID?
            if keyword("TIMELINE") { timeline = try self.timeline() }
            return .startReplication(slot: slot, start: start, timeline: timeline)
        }

        mutating func createSlot() throws(PGError) -> ReplicationCommand {
            let slotName = try name()
            let temporary = keyword("TEMPORARY")
            if keyword("LOGICAL") {
                throw PGError(sqlState: "0A000", message: "logical replication slots are not supported by minipg")
            }
            guard keyword("PHYSICAL") else { throw syntaxError() }
            var reserveWAL = false
            if keyword("RESERVE_WAL") {
                reserveWAL = true
            } else if position < tokens.count, tokens[position] == .openParenthesis {
                for (option, value) in try optionList() {
                    guard option == "reserve_wal" else {
                        throw PGError(sqlState: "42601", message: "unrecognized option: \(option)")
                    }
                    reserveWAL = try BaseBackupOptions.boolean(value, option: option)
                }
            }
            return .createSlot(name: slotName, temporary: temporary, reserveWAL: reserveWAL)
        }

        mutating func baseBackupOptions() throws(PGError) -> BaseBackupOptions {
            guard !isAtEnd else { return BaseBackupOptions() }
            return try BaseBackupOptions(try optionList())
        }

        /// `( name [value] [, ...] )`: names folded to lower case; a value is a 'string', a word
        /// or a number.
        mutating func optionList() throws(PGError) -> [(String, String?)] {
            try expect(.openParenthesis)
            var options: [(String, String?)] = []
            while true {
                let option = try name()
                var value: String?
                switch position < tokens.count ? tokens[position] : nil {
                case .string(let text)?, .word(let text)?:
                    value = text
                    position += 1
                default: break
                }
                options.append((option, value))
                switch next() {
                case .comma?: continue
                case .closeParenthesis?: return options
                default: throw syntaxError()
                }
            }
        }
    }
}
