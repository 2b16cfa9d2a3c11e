// SettingValueFormat: reading a setting's value from text (SET, postgresql.conf, set_config) and
// printing it as SHOW does. Integers with units accept PostgreSQL's unit suffixes
// (B kB MB GB TB for memory; us ms s min h d for time), rounding to the setting's base unit, and
// print with the largest unit that divides the value exactly ("128MB", "5min", "1s"); zero and
// negative values print without a unit.

extension SettingDefinition {
    static let memoryUnits: [(String, Int64)] = [("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10), ("B", 1)]
    static let timeUnits: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)]

    func invalidValue(_ text: String, hint: String? = nil) -> SQLError {
        SQLError(SQLError.invalidParameterValue, "invalid value for parameter \"\(name)\": \"\(text)\"", hint: hint)
    }

    /// Parses `text` into a value of this setting, with PostgreSQL's errors (22023).
    public func parse(_ text: String) throws -> SettingValue {
        switch kind {
        case .bool:
            guard let b = SettingDefinition.parseBool(text) else {
                throw SQLError(SQLError.invalidParameterValue, "parameter \"\(name)\" requires a Boolean value")
            }
            return .bool(b)
        case .integer(let min, let max):
            let value = try parseInteger(text)
            guard value >= min, value <= max else {
                throw SQLError(SQLError.invalidParameterValue,
                               "\(text.trimmingSpaces) is outside the valid range for parameter \"\(name)\" (\(min) .. \(max))")
            }
            return .integer(value)
        case .real(let min, let max):
            guard let value = Double(text.trimmingSpaces), value.isFinite else { throw invalidValue(text) }
            guard value >= min, value <= max else {
                throw SQLError(SQLError.invalidParameterValue,
                               "\(text.trimmingSpaces) is outside the valid range for parameter \"\(name)\" (\(FloatFormatting.format(min)) .. \(FloatFormatting.format(max)))")
            }
            return .real(value)
        case .enumeration(let options):
            let lowered = text.trimmingSpaces.lowercased()
            guard options.contains(lowered) else {
                throw invalidValue(text, hint: "Available values: \(options.joined(separator: ", ")).")
            }
            return .string(lowered)
        case .string:
            return .string(try validateString(text))
        }
    }

    /// Settings whose text minipg can only honour in one form.
    private func validateString(_ text: String) throws -> String {
        switch name {
        case "TimeZone", "log_timezone":
            let accepted = ["utc", "gmt", "etc/utc", "etc/gmt", "z", "zulu", "universal", "+00", "0", "+00:00", "00:00"]
            guard accepted.contains(text.trimmingSpaces.lowercased()) else {
                throw invalidValue(text, hint: "minipg supports only the UTC time zone.")
            }
            return text.trimmingSpaces.lowercased() == "utc" ? "UTC" : text.trimmingSpaces
        case "client_encoding":
            let normalized = text.trimmingSpaces.uppercased().replacingAll("-", with: "").replacingAll("_", with: "")
            guard normalized == "UTF8" || normalized == "UNICODE" else {
                throw invalidValue(text, hint: "minipg supports only the UTF8 encoding.")
            }
            return "UTF8"
        case "DateStyle":
            // PostgreSQL normalizes the pair; minipg always prints ISO dates.
            let parts = text.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
            for part in parts where !["iso", "mdy", "dmy", "ymd", "us", "european", "noneuropean", "postgres", "sql", "german"].contains(part) {
                throw invalidValue(text)
            }
            guard parts.allSatisfy({ $0 != "postgres" && $0 != "sql" && $0 != "german" }) else {
                throw invalidValue(text, hint: "minipg prints dates in the ISO style only.")
            }
            let order = parts.first(where: { ["mdy", "dmy", "ymd"].contains($0) })?.uppercased()
                ?? (parts.contains("european") ? "DMY" : "MDY")
            return "ISO, \(order)"
        default:
            return text
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        let t = text.trimmingSpaces.lowercased()
        guard !t.isEmpty else { return nil }
        if "true".hasPrefix(t) || "yes".hasPrefix(t) || t == "on" || t == "1" { return true }
        if "false".hasPrefix(t) || "no".hasPrefix(t) || (t.count >= 2 && "off".hasPrefix(t)) || t == "0" { return false }
        return nil
    }

    private func parseInteger(_ raw: String) throws -> Int64 {
        let text = raw.trimmingSpaces
        // Split the number from the unit suffix.
        var numberEnd = text.startIndex
        for index in text.indices {
            let c = text[index]
            if c.isNumber || c == "." || ((c == "-" || c == "+") && index == text.startIndex) { numberEnd = text.index(after: index) } else { break }
        }
        let numberText = String(text[..<numberEnd])
        let unitText = text[numberEnd...].trimmingSpaces
        if showsOctal, unitText.isEmpty, numberText.hasPrefix("0"), numberText.count > 1, let octal = Int64(numberText, radix: 8) {
            return octal
        }
        guard let number = Double(numberText) else {
            if let hex = text.lowercased().hasPrefix("0x") ? Int64(text.dropFirst(2), radix: 16) : nil { return hex }
            throw invalidValue(raw)
        }
        if unitText.isEmpty {
            guard number.magnitude < 9.2e18, number == number.rounded() || unit != .none else { throw invalidValue(raw) }
            return Int64(number.rounded(.toNearestOrAwayFromZero))
        }
        let table = unit.isMemory ? SettingDefinition.memoryUnits : (unit.isTime ? SettingDefinition.timeUnits + [("us", 0)] : [])
        guard !table.isEmpty else { throw invalidValue(raw) }
        guard let multiplier = table.first(where: { $0.0 == unitText })?.1 else {
            // PostgreSQL lists the units from the smallest up.
            let names = table.reversed().map { "\"\($0.0)\"" }
            let list = names.dropLast().joined(separator: ", ") + ", and " + (names.last ?? "")
            throw invalidValue(raw, hint: "Valid units for this parameter are \(list).")
        }
        // Microseconds are below the smallest base unit (ms): convert by division.
        let inBase = multiplier == 0 ? number / 1000 / Double(unit.scale) : number * Double(multiplier) / Double(unit.scale)
        guard inBase.magnitude < 9.2e18 else { throw invalidValue(raw) }
        return Int64(inBase.rounded(.toNearestOrAwayFromZero))
    }

    /// SHOW's text for a value of this setting.
    public func show(_ value: SettingValue) -> String {
        switch value {
        case .bool(let b): return b ? "on" : "off"
        case .real(let d): return FloatFormatting.format(d)
        case .string(let s): return s
        case .integer(let v):
            if showsOctal { return "0" + String(v, radix: 8) }
            guard v > 0, unit != .none else { return String(v) }
            let table = unit.isMemory ? SettingDefinition.memoryUnits : SettingDefinition.timeUnits
            let total = v.multipliedReportingOverflow(by: unit.scale)
            guard !total.overflow else { return "\(v)\(unit.rawValue)" }
            // The largest unit no smaller than the base unit that divides the value exactly.
            for (suffix, size) in table where size >= unit.scale && total.partialValue % size == 0 {
                return "\(total.partialValue / size)\(suffix)"
            }
            return "\(v)\(unit.rawValue)"
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = "", rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
