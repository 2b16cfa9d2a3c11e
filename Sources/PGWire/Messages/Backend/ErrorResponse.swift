// ErrorResponse ('E') and NoticeResponse ('N'): a list of (Byte1 field code, String value),
// ended by a zero byte. Fields sent: S severity (localized), V severity (never localized),
// C SQLSTATE, M message, then D detail, H hint, P position, W context, R routine when present.

import NIOCore

enum ErrorResponse {
    static let errorType = UInt8(ascii: "E")
    static let noticeType = UInt8(ascii: "N")

    enum Field {
        static let severity = UInt8(ascii: "S")
        static let severityNonLocalized = UInt8(ascii: "V")
        static let sqlState = UInt8(ascii: "C")
        static let message = UInt8(ascii: "M")
        static let detail = UInt8(ascii: "D")
        static let hint = UInt8(ascii: "H")
        static let position = UInt8(ascii: "P")
        static let context = UInt8(ascii: "W")
        static let routine = UInt8(ascii: "R")
    }

    static func encode(_ error: PGError, asNotice: Bool, into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: asNotice ? noticeType : errorType) { body in
            func field(_ code: UInt8, _ value: String?) {
                guard let value else { return }
                body.writeInteger(code)
                body.writeNullTerminatedString(value)
            }
            field(Field.severity, error.severity.rawValue)
            field(Field.severityNonLocalized, error.severity.rawValue)
            field(Field.sqlState, error.sqlState)
            field(Field.message, error.message)
            field(Field.detail, error.detail)
            field(Field.hint, error.hint)
            field(Field.position, error.position.map(String.init))
            field(Field.context, error.context)
            field(Field.routine, error.routine)
            body.writeInteger(UInt8(0))
        }
    }

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> PGError {
        var fields: [UInt8: String] = [:]
        while true {
            let code = try payload.readPGInteger(as: UInt8.self)
            if code == 0 { break }
            fields[code] = try payload.readPGString()
        }
        guard let severityText = fields[Field.severityNonLocalized] ?? fields[Field.severity],
              let severity = PGError.Severity(rawValue: severityText),
              let sqlState = fields[Field.sqlState], let message = fields[Field.message]
        else { throw invalidMessageFormat() }
        return PGError(severity: severity, sqlState: sqlState, message: message, detail: fields[Field.detail],
                       hint: fields[Field.hint], position: fields[Field.position].flatMap { Int($0) },
                       context: fields[Field.context], routine: fields[Field.routine])
    }
}
