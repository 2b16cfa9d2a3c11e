// The `schedule` of POST /restart and the `scheduled_at` of POST /switchover: an ISO 8601 timestamp that
// must name its time zone and lie in the future (Patroni's `parse_schedule`): 400 without a time zone,
// 422 when unparsable or past. The text is kept as given; agents parse it again when they act on it.
import Foundation

enum ScheduledTime {
    struct Rejection: Error {
        var status: Int
        var message: String
    }

    static func validate(_ text: String, action: String, now: Date = Date()) throws(Rejection) -> String {
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        if let date = parse(normalized, withTimeZone: true) {
            guard date >= now else { throw Rejection(status: 422, message: "Cannot schedule \(action) in the past") }
            return text
        }
        if parse(normalized, withTimeZone: false) != nil {
            throw Rejection(status: 400, message: "Timezone information is mandatory for the scheduled \(action)")
        }
        throw Rejection(status: 422, message:
            "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601")
    }

    private static func parse(_ text: String, withTimeZone: Bool) -> Date? {
        let formatter = ISO8601DateFormatter()
        var options: ISO8601DateFormatter.Options = [.withFullDate, .withTime, .withDashSeparatorInDate,
                                                     .withColonSeparatorInTime]
        if withTimeZone { options.formUnion([.withTimeZone, .withColonSeparatorInTimeZone]) }
        for fractional in [false, true] {
            formatter.formatOptions = fractional ? options.union(.withFractionalSeconds) : options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
