// DateTime: the calendar arithmetic and text formats of date, timestamp, timestamptz and interval.
//
// PostgreSQL counts dates in days and timestamps in microseconds from its epoch, 2000-01-01
// (the binary protocol sends the same numbers). minipg runs with TimeZone = UTC, so a timestamptz
// prints with "+00" and input offsets ("+02", "-05:30", "Z") convert to UTC.
// 'infinity' / '-infinity' are the largest / smallest representable values, as in PostgreSQL;
// 'now', 'today', 'tomorrow' and 'yesterday' read the system clock.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum DateTime {
    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerMinute: Int64 = 60 * microsecondsPerSecond
    public static let microsecondsPerHour: Int64 = 60 * microsecondsPerMinute
    public static let microsecondsPerDay: Int64 = 24 * microsecondsPerHour
    /// Days from 1970-01-01 (Unix epoch) to 2000-01-01 (PostgreSQL's epoch).
    public static let unixEpochToPostgresEpochDays: Int64 = 10_957
    public static let dateInfinity = Int32.max, dateMinusInfinity = Int32.min
    public static let timestampInfinity = Int64.max, timestampMinusInfinity = Int64.min
    /// interval input: a month is 30 days and a year 12 months when fractions spill over.
    static let daysPerMonth: Int64 = 30

    // MARK: Civil calendar (proleptic Gregorian), after Howard Hinnant's algorithms

    /// Days since 2000-01-01 for a civil date.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month), d = Int64(day)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 - unixEpochToPostgresEpochDays
    }

    /// The civil date of a day number counted from 2000-01-01.
    public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + unixEpochToPostgresEpochDays + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Output

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value.magnitude)
        let padded = text.count < width ? String(repeating: "0", count: width - text.count) + text : text
        return value < 0 ? "-" + padded : padded
    }

    static func formatDatePart(days: Int64) -> String {
        let (y, m, d) = civil(days: days)
        if y <= 0 { return "\(pad(Int64(1 - y), 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2)) BC" }
        return "\(pad(Int64(y), 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))"
    }

    /// "HH:MM:SS" plus ".ffffff" without trailing zeros when there is a fraction.
    static func formatTime(microseconds: Int64) -> String {
        let seconds = microseconds / microsecondsPerSecond, fraction = microseconds % microsecondsPerSecond
        var text = "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    public static func formatDate(_ days: Int32) -> String {
        if days == dateInfinity { return "infinity" }
        if days == dateMinusInfinity { return "-infinity" }
        return formatDatePart(days: Int64(days))
    }

    public static func formatTimestamp(_ microseconds: Int64, withTimeZone: Bool) -> String {
        if microseconds == timestampInfinity { return "infinity" }
        if microseconds == timestampMinusInfinity { return "-infinity" }
        var days = microseconds / microsecondsPerDay, time = microseconds % microsecondsPerDay
        if time < 0 { days -= 1; time += microsecondsPerDay }
        var date = formatDatePart(days: days)
        var suffix = ""
        if date.hasSuffix(" BC") { date.removeLast(3); suffix = " BC" }
        return date + " " + formatTime(microseconds: time) + (withTimeZone ? "+00" : "") + suffix
    }

    /// PostgreSQL's IntervalStyle = postgres: "1 year 2 mons 3 days 04:05:06.5", "-1 days", "00:00:00".
    public static func formatInterval(_ interval: Interval) -> String {
        var parts: [String] = []
        var isBefore = false
        func add(_ value: Int64, _ unit: String) {
            guard value != 0 else { return }
            let sign = (isBefore && value > 0) ? "+" : ""
            parts.append("\(sign)\(value) \(unit)\(value == 1 ? "" : "s")")
            isBefore = value < 0
        }
        let years = Int64(interval.months / 12), months = Int64(interval.months % 12)
        add(years, "year")
        add(months, "mon")
        add(Int64(interval.days), "day")
        let time = interval.microseconds
        if time != 0 || parts.isEmpty {
            let minus = time < 0
            let sign = minus ? "-" : (isBefore ? "+" : "")
            parts.append(sign + formatTime(microseconds: time.magnitude > UInt64(Int64.max) ? Int64.max : Int64(time.magnitude)))
        }
        return parts.joined(separator: " ")
    }

    // MARK: Input

    static func invalid(_ type: String, _ text: String) -> SQLError {
        SQLError(SQLError.invalidDatetimeFormat, "invalid input syntax for type \(type): \"\(text)\"")
    }
    /// A month outside 1...12 may be day and month swapped: PostgreSQL then hints at DateStyle.
    static func outOfRange(_ text: String, _ type: String, month: Int? = nil) -> SQLError {
        let swapped = month.map { !(1...12).contains($0) } ?? false
        return SQLError(SQLError.datetimeFieldOverflow, "date/time field value out of range: \"\(text)\"",
                        hint: swapped ? "Perhaps you need a different \"datestyle\" setting." : nil)
    }

    /// A tiny scanner over ASCII bytes used by the date/time parsers.
    struct Scanner {
        var bytes: [UInt8]
        var index = 0
        init(_ text: String) { bytes = Array(text.utf8) }
        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }
        mutating func skipSpaces() { while let b = peek, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { index += 1 } }
        mutating func consume(_ c: Character) -> Bool {
            guard let b = peek, let a = c.asciiValue, b == a else { return false }
            index += 1
            return true
        }
        /// Digits as a number, with how many digits were read.
        mutating func number() -> (value: Int64, digits: Int)? {
            var value: Int64 = 0, count = 0
            while let b = peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), count < 18 {
                value = value * 10 + Int64(b - UInt8(ascii: "0"))
                count += 1
                index += 1
            }
            return count == 0 ? nil : (value, count)
        }
        mutating func word() -> String {
            let start = index
            while let b = peek, (b | 0x20) >= UInt8(ascii: "a"), (b | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
        }
    }

    /// Parses "YYYY-MM-DD" at the scanner; nil if not a date there.
    static func scanDate(_ s: inout Scanner) -> (Int, Int, Int)? {
        guard let y = s.number(), s.consume("-"), let m = s.number(), s.consume("-"), let d = s.number() else { return nil }
        return (Int(y.value), Int(m.value), Int(d.value))
    }

    /// The last year a timestamp can hold (PostgreSQL's range ends in 294276 AD).
    static let maxYear = 294_276

    static func validDate(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        y >= 1 && y <= maxYear && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(year: y, month: m)
    }

    /// Days since 2000-01-01 as microseconds, or nil if that overflows a timestamp.
    public static func microseconds(ofDay day: Int64) -> Int64? {
        let (result, overflow) = day.multipliedReportingOverflow(by: microsecondsPerDay)
        return overflow ? nil : result
    }

    /// The current time in microseconds since 2000-01-01 UTC (for the 'now' and 'today' inputs).
    public static func currentTimestamp() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec) - unixEpochToPostgresEpochDays * 86_400) * microsecondsPerSecond + Int64(spec.tv_nsec) / 1000
    }

    /// The special inputs PostgreSQL reads as a moment relative to now. PostgreSQL takes 'now' at
    /// the start of the transaction; here it is the moment the literal is read.
    static func specialTimestamp(_ word: String) -> Int64? {
        let today = { (offset: Int64) -> Int64 in
            let now = currentTimestamp()
            let day = now >= 0 ? now / microsecondsPerDay : (now - microsecondsPerDay + 1) / microsecondsPerDay
            return (day + offset) * microsecondsPerDay
        }
        switch word {
        case "now": return currentTimestamp()
        case "today": return today(0)
        case "tomorrow": return today(1)
        case "yesterday": return today(-1)
        default: return nil
        }
    }

    public static func parseDate(_ text: String) throws -> Int32 {
        let trimmed = text.trimmingSpaces.lowercased()
        switch trimmed {
        case "infinity": return dateInfinity
        case "-infinity": return dateMinusInfinity
        case "epoch": return Int32(-unixEpochToPostgresEpochDays)
        default: break
        }
        if let moment = specialTimestamp(trimmed) {
            return Int32((moment >= 0 ? moment : moment - microsecondsPerDay + 1) / microsecondsPerDay)
        }
        var s = Scanner(trimmed)
        guard let (y, m, d) = scanDate(&s) else { throw invalid("date", text) }
        // A time part after the date is accepted and ignored, as PostgreSQL does.
        if !s.atEnd, !(s.consume(" ") || s.consume("t")) { throw invalid("date", text) }
        guard validDate(y, m, d) else { throw outOfRange(text, "date", month: Int(m)) }
        return Int32(days(year: y, month: m, day: d))
    }

    /// Parses "HH:MM[:SS[.ffffff]]" into microseconds.
    static func scanTime(_ s: inout Scanner) -> Int64? {
        guard let h = s.number(), s.consume(":"), let mi = s.number() else { return nil }
        var seconds: Int64 = 0, fraction: Int64 = 0
        if s.consume(":") {
            guard let sec = s.number() else { return nil }
            seconds = sec.value
            if s.consume(".") {
                guard let f = s.number() else { return nil }
                var digits = f.digits, value = f.value
                while digits > 6 { value /= 10; digits -= 1 }     // PostgreSQL rounds; truncation is close enough beyond µs
                while digits < 6 { value *= 10; digits += 1 }
                fraction = value
            }
        }
        guard h.value <= 24, mi.value < 60, seconds <= 60 else { return nil }
        return h.value * microsecondsPerHour + mi.value * microsecondsPerMinute + seconds * microsecondsPerSecond + fraction
    }

    /// Parses a zone suffix ("Z", "UTC", "+02", "-05:30", "+0530"); returns the offset east of UTC in seconds.
    static func scanZone(_ s: inout Scanner) -> Int64? {
        s.skipSpaces()
        if s.consume("+") || s.peek == UInt8(ascii: "-") {
            let negative = s.consume("-")
            guard let first = s.number() else { return nil }
            var hours = first.value, minutes: Int64 = 0
            if first.digits == 4 { hours = first.value / 100; minutes = first.value % 100 }
            else if s.consume(":") { guard let m = s.number() else { return nil }; minutes = m.value }
            let offset = hours * 3600 + minutes * 60
            return negative ? -offset : offset
        }
        let word = s.word()
        switch word {
        case "z", "utc", "gmt", "zulu": return 0
        default: return nil
        }
    }

    public static func parseTimestamp(_ text: String, withTimeZone: Bool) throws -> Int64 {
        let typeName = withTimeZone ? "timestamp with time zone" : "timestamp without time zone"
        let trimmed = text.trimmingSpaces.lowercased()
        switch trimmed {
        case "infinity": return timestampInfinity
        case "-infinity": return timestampMinusInfinity
        case "epoch": return -unixEpochToPostgresEpochDays * microsecondsPerDay
        default: break
        }
        if let moment = specialTimestamp(trimmed) { return moment }
        var s = Scanner(trimmed)
        guard let (y, m, d) = scanDate(&s) else { throw invalid(typeName, text) }
        var time: Int64 = 0
        if s.consume("t") || s.consume(" ") {
            s.skipSpaces()
            if !s.atEnd {
                guard let t = scanTime(&s) else { throw invalid(typeName, text) }
                time = t
            }
        }
        var offsetSeconds: Int64 = 0
        s.skipSpaces()
        if !s.atEnd {
            guard let offset = scanZone(&s) else { throw invalid(typeName, text) }
            offsetSeconds = offset
            s.skipSpaces()
            if s.consume("b") { guard s.consume("c") else { throw invalid(typeName, text) } }
            guard s.atEnd else { throw invalid(typeName, text) }
        }
        guard validDate(y, m, d) else { throw outOfRange(text, typeName, month: Int(m)) }
        var result = days(year: y, month: m, day: d) * microsecondsPerDay + time
        if withTimeZone { result -= offsetSeconds * microsecondsPerSecond }
        return result
    }

    public static func parseInterval(_ text: String) throws -> Interval {
        let error = SQLError(SQLError.invalidDatetimeFormat, "invalid input syntax for type interval: \"\(text)\"")
        var s = Scanner(text.trimmingSpaces.lowercased())
        var months: Double = 0, days: Double = 0, micros: Double = 0
        var sawField = false
        if s.consume("@") { s.skipSpaces() }
        while true {
            s.skipSpaces()
            if s.atEnd { break }
            let start = s.index
            var negative = false
            if s.consume("-") { negative = true } else { _ = s.consume("+") }
            // A time field "HH:MM[:SS[.f]]"?
            let afterSign = s.index
            if let _ = s.number(), s.peek == UInt8(ascii: ":") {
                s.index = afterSign
                guard let t = scanTime(&s) else { throw error }
                micros += Double(negative ? -t : t)
                sawField = true
                continue
            }
            s.index = afterSign
            // number [unit]
            let numberStart = s.index
            while let b = s.peek, (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") { s.index += 1 }
            guard s.index > numberStart, var amount = Double(String(decoding: s.bytes[numberStart..<s.index], as: UTF8.self)) else {
                let word = s.word()
                if word == "ago", sawField { months = -months; days = -days; micros = -micros; continue }
                s.index = start
                throw error
            }
            if negative { amount = -amount }
            s.skipSpaces()
            let unit = s.word()
            switch unit {
            case "microsecond", "microseconds", "us", "usec", "usecs": micros += amount
            case "millisecond", "milliseconds", "ms", "msec", "msecs": micros += amount * 1000
            case "", "second", "seconds", "s", "sec", "secs": micros += amount * Double(microsecondsPerSecond)
            case "minute", "minutes", "m", "min", "mins": micros += amount * Double(microsecondsPerMinute)
            case "hour", "hours", "h", "hr", "hrs": micros += amount * Double(microsecondsPerHour)
            case "day", "days", "d": days += amount
            case "week", "weeks", "w": days += amount * 7
            case "month", "months", "mon", "mons": months += amount
            case "year", "years", "y", "yr", "yrs": months += amount * 12
            case "decade", "decades": months += amount * 120
            case "century", "centuries": months += amount * 1200
            case "millennium", "millennia": months += amount * 12000
            default: throw error
            }
            sawField = true
        }
        guard sawField else { throw error }
        // Fractions spill downwards: months → days (30 per month), days → microseconds.
        let wholeMonths = months.rounded(.towardZero)
        days += (months - wholeMonths) * Double(daysPerMonth)
        let wholeDays = days.rounded(.towardZero)
        micros += (days - wholeDays) * Double(microsecondsPerDay)
        guard abs(wholeMonths) <= Double(Int32.max), abs(wholeDays) <= Double(Int32.max), abs(micros) < 9.2e18 else {
            throw SQLError(SQLError.intervalFieldOverflow, "interval out of range")
        }
        return Interval(months: Int32(wholeMonths), days: Int32(wholeDays), microseconds: Int64(micros.rounded()))
    }

    // MARK: Arithmetic

    /// timestamp + interval: months first (clamping the day to the month's end), then days, then time.
    public static func add(_ interval: Interval, to timestamp: Int64) throws -> Int64 {
        if timestamp == timestampInfinity || timestamp == timestampMinusInfinity { return timestamp }
        var result = timestamp
        if interval.months != 0 {
            var days = result / microsecondsPerDay, time = result % microsecondsPerDay
            if time < 0 { days -= 1; time += microsecondsPerDay }
            let (y, m, d) = civil(days: days)
            let totalMonths = y * 12 + (m - 1) + Int(interval.months)
            let newYear = totalMonths >= 0 ? totalMonths / 12 : (totalMonths - 11) / 12
            let newMonth = totalMonths - newYear * 12 + 1
            let newDay = min(d, daysInMonth(year: newYear, month: newMonth))
            guard newYear >= -maxYear, newYear <= maxYear,
                  let start = microseconds(ofDay: DateTime.days(year: newYear, month: newMonth, day: newDay)) else {
                throw SQLError(SQLError.datetimeFieldOverflow, "timestamp out of range")
            }
            result = start + time
        }
        guard let dayMicroseconds = microseconds(ofDay: Int64(interval.days)) else {
            throw SQLError(SQLError.datetimeFieldOverflow, "timestamp out of range")
        }
        let (withDays, o1) = result.addingReportingOverflow(dayMicroseconds)
        let (withTime, o2) = withDays.addingReportingOverflow(interval.microseconds)
        guard !o1, !o2 else { throw SQLError(SQLError.datetimeFieldOverflow, "timestamp out of range") }
        return withTime
    }

    /// timestamp - timestamp, as PostgreSQL: whole days split off the microseconds (justify_hours).
    public static func difference(_ a: Int64, _ b: Int64) throws -> Interval {
        let (delta, overflow) = a.subtractingReportingOverflow(b)
        guard !overflow else { throw SQLError(SQLError.datetimeFieldOverflow, "interval out of range") }
        return Interval(months: 0, days: Int32(clamping: delta / microsecondsPerDay), microseconds: delta % microsecondsPerDay)
    }
}
