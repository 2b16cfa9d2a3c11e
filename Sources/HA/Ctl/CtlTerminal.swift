// What `minipg ctl` says and asks: printed lines, and click-style prompts read from standard input
// ("Candidate ['patroni1', 'patroni3'] []: ", "Apply these changes? [y/N]: "), so an operator or a script
// piping answers sees exactly patronictl's dialogue. `--force` skips every question.
//
// Invariant: a question that gets no answer (end of input) aborts the command; it never means "yes".
import Foundation

/// A refusal or failure of a ctl command; printed as "Error: <message>", exit status 1.
public struct CtlError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public protocol CtlTerminal: Sendable {
    /// Writes `text` followed by a newline.
    func print(_ text: String)
    /// Writes `text` without a newline (a prompt) and reads one line of the answer; nil at end of input.
    func ask(_ text: String) -> String?
    /// Clears the screen before the next round of a watched list (a no-op where there is no screen).
    func clear()
}

extension CtlTerminal {
    public func clear() {}

    /// click.prompt: "text [default]: "; an empty answer takes the default; without a default, asks again.
    public func prompt(_ text: String, default defaultValue: String? = nil) throws -> String {
        while true {
            let suffix = defaultValue.map { " [\($0)]" } ?? ""
            guard let answer = ask(text + suffix + ": ") else { throw CtlError("Aborted!") }
            let trimmed = answer.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return trimmed }
            if let defaultValue { return defaultValue }
        }
    }

    /// click.confirm: "text [y/N]: "; only y or yes is yes.
    public func confirm(_ text: String) throws -> Bool {
        while true {
            guard let answer = ask(text + " [y/N]: ") else { throw CtlError("Aborted!") }
            switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
            case "y", "yes": return true
            case "", "n", "no": return false
            default: print("Error: invalid input")
            }
        }
    }
}

/// The process's standard output and standard input.
public struct StandardTerminal: CtlTerminal {
    public init() {}

    public func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    public func ask(_ text: String) -> String? {
        FileHandle.standardOutput.write(Data(text.utf8))
        return readLine(strippingNewline: true)
    }

    /// ANSI "cursor home, erase display", as click.clear() writes on a terminal; nothing when piped.
    public func clear() {
        if isatty(STDOUT_FILENO) != 0 { FileHandle.standardOutput.write(Data("\u{1B}[H\u{1B}[2J".utf8)) }
    }
}

/// patronictl's timestamps: "2026-11-27 05:26:40.09560" (5 fractional digits) before an action's result,
/// "2026-11-27 05:26:40" above a watched list.
public enum CtlTimestamp {
    public static func text(_ date: Date, fractionDigits: Int = 5) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var text = formatter.string(from: date)
        if fractionDigits > 0 {
            let micros = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) % 1_000_000
            let digits = String(format: "%06d", micros)
            text += "." + digits.prefix(fractionDigits)
        }
        return text
    }

    /// A --scheduled value: "now" (nil) or an ISO 8601 time; without a zone it is local time.
    public static func parseScheduled(_ text: String) throws -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "now" { return nil }
        for format in ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXXXX", "yyyy-MM-dd'T'HH:mmXXXXX",
                       "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone.current
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw CtlError("Unable to parse scheduled timestamp (\(trimmed)). It should be in an unambiguous format"
            + " (e.g. ISO 8601)")
    }

    /// ISO 8601 with the zone, as the /failover key and POST /restart take it.
    public static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
