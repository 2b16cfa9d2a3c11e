// DateTimeFunctions: the clocks (now, CURRENT_TIMESTAMP, transaction/statement/clock_timestamp,
// LOCALTIMESTAMP, CURRENT_DATE — all UTC), date_part/extract and date_trunc, to_timestamp.
// The clocks come from the FunctionContext, so tests can fix them.

enum DateTimeFunctions {
    static let definitions: [FunctionDefinition] = [
        .fn("now", [], .timestamptz) { _, ctx in .timestamptz(ctx.transactionTimestamp) },
        .fn("current_timestamp", [], .timestamptz) { _, ctx in .timestamptz(ctx.transactionTimestamp) },
        .fn("transaction_timestamp", [], .timestamptz) { _, ctx in .timestamptz(ctx.transactionTimestamp) },
        .fn("statement_timestamp", [], .timestamptz) { _, ctx in .timestamptz(ctx.statementTimestamp) },
        .fn("clock_timestamp", [], .timestamptz) { _, ctx in .timestamptz(ctx.clockTimestamp()) },
        .fn("localtimestamp", [], .timestamp) { _, ctx in .timestamp(ctx.transactionTimestamp) },
        .fn("current_date", [], .date) { _, ctx in
            .date(Int32(floorDivide(ctx.transactionTimestamp, DateTime.microsecondsPerDay)))
        },
        .fn("to_timestamp", [.float8], .timestamptz) { args, _ in
            let seconds = args[0].doubleValue ?? 0
            guard seconds.isFinite else { return .timestamptz(seconds > 0 ? DateTime.timestampInfinity : DateTime.timestampMinusInfinity) }
            let micros = (seconds * 1e6).rounded() - Double(DateTime.unixEpochToPostgresEpochDays * DateTime.microsecondsPerDay)
            guard micros.magnitude < 9.2e18 else { throw SQLError(SQLError.datetimeFieldOverflow, "timestamp out of range") }
            return .timestamptz(Int64(micros))
        },
        .fn("date_part", [.text, .timestamptz], .float8) { args, _ in try part(args[0], args[1]).map { .float8($0.doubleValue) } ?? .null },
        .fn("date_part", [.text, .timestamp], .float8) { args, _ in try part(args[0], args[1]).map { .float8($0.doubleValue) } ?? .null },
        .fn("date_part", [.text, .interval], .float8) { args, _ in try part(args[0], args[1]).map { .float8($0.doubleValue) } ?? .null },
        .fn("extract", [.text, .timestamptz], .numeric) { args, _ in try part(args[0], args[1]).map(Value.numeric) ?? .null },
        .fn("extract", [.text, .timestamp], .numeric) { args, _ in try part(args[0], args[1]).map(Value.numeric) ?? .null },
        .fn("extract", [.text, .date], .numeric) { args, _ in
            guard case .date(let d) = args[1] else { return .null }
            guard let micros = DateTime.microseconds(ofDay: Int64(d)) else { throw SQLError(SQLError.datetimeFieldOverflow, "date out of range") }
            return try part(args[0], .timestamp(micros)).map(Value.numeric) ?? .null
        },
        .fn("extract", [.text, .interval], .numeric) { args, _ in try part(args[0], args[1]).map(Value.numeric) ?? .null },
        .fn("date_trunc", [.text, .timestamp], .timestamp) { args, _ in
            guard case .timestamp(let t) = args[1] else { return .null }
            return .timestamp(try truncate(t, to: args[0].stringValue ?? ""))
        },
        .fn("date_trunc", [.text, .timestamptz], .timestamptz) { args, _ in
            guard case .timestamptz(let t) = args[1] else { return .null }
            return .timestamptz(try truncate(t, to: args[0].stringValue ?? ""))
        },
    ]

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func unsupportedUnit(_ unit: String, _ type: String) -> SQLError {
        SQLError(SQLError.featureNotSupported, "unit \"\(unit)\" not supported for type \(type)")
    }

    /// extract(field from value) as a numeric (seconds keep their microseconds).
    static func part(_ field: Value, _ value: Value) throws -> Numeric? {
        let unit = (field.stringValue ?? "").lowercased()
        if case .interval(let i) = value {
            switch unit {
            case "epoch":
                let micros = Int128(i.months) * 30 * Int128(DateTime.microsecondsPerDay) + Int128(i.days) * Int128(DateTime.microsecondsPerDay) + Int128(i.microseconds)
                return Numeric(coefficient: micros, scale: 6)
            case "year", "years": return Numeric(Int64(i.months / 12))
            case "month", "months", "mon": return Numeric(Int64(i.months % 12))
            case "day", "days": return Numeric(Int64(i.days))
            case "hour", "hours": return Numeric(i.microseconds / DateTime.microsecondsPerHour)
            case "minute", "minutes", "min": return Numeric(i.microseconds / DateTime.microsecondsPerMinute % 60)
            case "second", "seconds", "sec": return Numeric(coefficient: Int128(i.microseconds % DateTime.microsecondsPerMinute), scale: 6)
            default: throw unsupportedUnit(unit, "interval")
            }
        }
        let micros: Int64
        switch value {
        case .timestamp(let t), .timestamptz(let t): micros = t
        default: return nil
        }
        let days = floorDivide(micros, DateTime.microsecondsPerDay)
        let time = micros - days * DateTime.microsecondsPerDay
        let (y, m, d) = DateTime.civil(days: days)
        switch unit {
        case "epoch":
            return Numeric(coefficient: Int128(micros) + Int128(DateTime.unixEpochToPostgresEpochDays * DateTime.microsecondsPerDay), scale: 6)
        case "year", "years": return Numeric(Int64(y))
        case "month", "months", "mon": return Numeric(Int64(m))
        case "day", "days": return Numeric(Int64(d))
        case "hour", "hours": return Numeric(time / DateTime.microsecondsPerHour)
        case "minute", "minutes", "min": return Numeric(time / DateTime.microsecondsPerMinute % 60)
        case "second", "seconds", "sec": return Numeric(coefficient: Int128(time % DateTime.microsecondsPerMinute), scale: 6)
        case "milliseconds": return Numeric(coefficient: Int128(time % DateTime.microsecondsPerMinute), scale: 3)
        case "microseconds": return Numeric(time % DateTime.microsecondsPerMinute)
        case "dow": return Numeric(Int64(((days % 7) + 7 + 6) % 7))       // 2000-01-01 was a Saturday (6)
        case "doy": return Numeric(days - DateTime.days(year: y, month: 1, day: 1) + 1)
        case "quarter": return Numeric(Int64((m - 1) / 3 + 1))
        case "timezone", "timezone_hour", "timezone_minute": return Numeric.zero
        default: throw unsupportedUnit(unit, "timestamp")
        }
    }

    /// date_trunc(unit, timestamp).
    static func truncate(_ micros: Int64, to rawUnit: String) throws -> Int64 {
        let unit = rawUnit.lowercased()
        let days = floorDivide(micros, DateTime.microsecondsPerDay)
        let time = micros - days * DateTime.microsecondsPerDay
        let (y, m, _) = DateTime.civil(days: days)
        func at(_ day: Int64, _ t: Int64 = 0) -> Int64 { day * DateTime.microsecondsPerDay + t }
        switch unit {
        case "microseconds": return micros
        case "milliseconds": return micros - (micros - at(days)) % 1000
        case "second": return at(days, time - time % DateTime.microsecondsPerSecond)
        case "minute": return at(days, time - time % DateTime.microsecondsPerMinute)
        case "hour": return at(days, time - time % DateTime.microsecondsPerHour)
        case "day": return at(days)
        case "week": return at(days - ((days % 7) + 7 + 5) % 7)                // back to Monday
        case "month": return at(DateTime.days(year: y, month: m, day: 1))
        case "quarter": return at(DateTime.days(year: y, month: (m - 1) / 3 * 3 + 1, day: 1))
        case "year": return at(DateTime.days(year: y, month: 1, day: 1))
        case "decade": return at(DateTime.days(year: y - ((y % 10) + 10) % 10, month: 1, day: 1))
        default: throw SQLError(SQLError.featureNotSupported, "unit \"\(rawUnit)\" not recognized for type timestamp")
        }
    }
}
