// CopyLineReader: cuts the COPY FROM STDIN byte stream into lines, whatever the chunking.
//
// Clients send CopyData messages of any size: pgbench sends one row per message, psql's \copy sends
// 8 KiB blocks that cut rows anywhere. The reader keeps the unfinished tail between chunks.
// In CSV a newline inside a quoted field belongs to the field, so the reader follows quotes;
// in text format a newline in data is always written `\n`, so every newline ends a line.
// A line's terminator (`\n`, or `\r\n`) is not part of the returned line.

struct CopyLineReader {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the scan for the next newline resumes (bytes before it hold no line end).
    private var scanned = 0
    private var insideQuotes = false
    private let csvQuote: UInt8?

    /// Lines returned so far (the 1-based number of the last line, for error context).
    private(set) var lineNumber = 0

    /// `csvQuote` is the CSV quote character, nil for text format.
    init(csvQuote: UInt8?) {
        self.csvQuote = csvQuote
    }

    mutating func append(_ chunk: [UInt8]) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete line, or nil when more data is needed. At the end of data
    /// (`endOfData` true) an unterminated last line is returned too.
    mutating func nextLine(endOfData: Bool) -> [UInt8]? {
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if let csvQuote, byte == csvQuote {
                insideQuotes.toggle()
            } else if byte == Self.newline && !insideQuotes {
                var end = index
                if end > start && buffer[end - 1] == Self.carriageReturn { end -= 1 }
                let line = Array(buffer[start..<end])
                start = index + 1
                scanned = start
                lineNumber += 1
                return line
            }
            index += 1
        }
        scanned = index
        if endOfData && start < buffer.count {
            let line = Array(buffer[start..<buffer.count])
            start = buffer.count
            scanned = start
            lineNumber += 1
            return line
        }
        return nil
    }

    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}
