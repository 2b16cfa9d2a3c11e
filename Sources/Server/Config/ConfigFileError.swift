// ConfigFileError: a syntax or value error in one of the data directory's configuration files,
// worded as PostgreSQL words them (`... in file "pg_hba.conf" line 12`).

public struct ConfigFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(message) in file \"\(file)\" line \(line)" }
}
