// CopyOptions: the options of one COPY statement (FORMAT, DELIMITER, NULL, HEADER, QUOTE, ESCAPE,
// FREEZE), with PostgreSQL's defaults per format and its validation errors.
//
// Defaults: text — delimiter tab, NULL `\N`; csv — delimiter `,`, NULL the empty string, QUOTE and
// ESCAPE `"`. FREEZE is accepted and has no effect (every row is inserted through MVCC as usual).

struct CopyOptions: Equatable {
    enum Format: String, Equatable {
        case text, csv, binary
    }

    var format: Format = .text
    var delimiter: UInt8 = CopyOptions.tab
    var nullMarker: [UInt8] = Array("\\N".utf8)
    var header = false
    var quote: UInt8 = CopyOptions.doubleQuote
    var escape: UInt8 = CopyOptions.doubleQuote
    var freeze = false

    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let doubleQuote = UInt8(ascii: "\"")
    /// SQLSTATE 22P04 bad_copy_file_format.
    static let badCopyFileFormat = "22P04"

    /// Takes the options as the parser read them from the statement, applying each format's defaults.
    init(_ statement: CopyStatement) throws {
        let delimiterText = statement.delimiter
        let nullText = statement.null
        let quoteText = statement.quote
        let escapeText = statement.escape
        freeze = statement.freeze
        header = statement.header
        switch statement.format {
        case .text: format = .text
        case .csv: format = .csv
        case .binary: format = .binary
        }
        if format == .binary {
            throw SQLError(SQLError.featureNotSupported, "COPY format \"binary\" is not supported by minipg")
        }
        if format == .csv {
            delimiter = Self.comma
            nullMarker = []
        }
        if let delimiterText {
            guard delimiterText.utf8.count == 1, let byte = delimiterText.utf8.first else {
                throw SQLError(SQLError.featureNotSupported, "COPY delimiter must be a single one-byte character")
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw SQLError(SQLError.invalidParameterValue,
                               "COPY delimiter cannot be newline or carriage return")
            }
            delimiter = byte
        }
        if let nullText { nullMarker = Array(nullText.utf8) }
        if quoteText != nil || escapeText != nil {
            guard format == .csv else {
                throw SQLError(SQLError.featureNotSupported,
                               "COPY \(quoteText != nil ? "quote" : "escape") available only in CSV mode")
            }
        }
        if let quoteText {
            guard quoteText.utf8.count == 1, let byte = quoteText.utf8.first else {
                throw SQLError(SQLError.featureNotSupported, "COPY quote must be a single one-byte character")
            }
            quote = byte
            escape = byte
        }
        if let escapeText {
            guard escapeText.utf8.count == 1, let byte = escapeText.utf8.first else {
                throw SQLError(SQLError.featureNotSupported, "COPY escape must be a single one-byte character")
            }
            escape = byte
        }
    }
}
