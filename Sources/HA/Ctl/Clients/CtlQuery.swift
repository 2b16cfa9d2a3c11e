// `ctl query`: runs SQL on a member — the leader by default, a replica with -r replica, or the one named
// with -m — through minipg's own PostgreSQL client (PGWire), and prints the result as patronictl does:
// tab-separated with a header line by default, NULL as None.
import PGWire

public struct CtlQueryRequest: Sendable, Equatable {
    public var sql: String
    public var member: String?
    public var role: String?
    public var database: String
    public var user: String
    public var password: String?
    public var format: OutputFormat

    public init(sql: String, member: String? = nil, role: String? = nil, database: String = "postgres",
                user: String, password: String? = nil, format: OutputFormat = .tsv) {
        self.sql = sql
        self.member = member
        self.role = role
        self.database = database
        self.user = user
        self.password = password
        self.format = format
    }
}

extension CtlSession {
    public func query(_ request: CtlQueryRequest) async throws {
        let view = try await load()
        guard let member = try pick(view, member: request.member, role: request.role) else {
            throw CtlError("Can not find a suitable member")
        }
        let address = member.hostAndPort
        let results: [PGQueryResult]
        do {
            let connection = try PGClientConnection.connect(PGClientConfiguration(
                host: address.host, port: address.port, user: request.user, password: request.password,
                database: request.database, applicationName: "minipg ctl"))
            defer { connection.close() }
            results = try connection.simpleQuery(request.sql)
        } catch let error as PGError {
            throw CtlError("\(error.sqlState) \(error.message)")
        } catch {
            throw CtlError("\(error)")
        }
        for result in results where !result.columns.isEmpty {
            let columns = result.columns.map(\.name)
            let rows = result.rows.map { row in
                row.map { value in TableCell.text(value.map { String(decoding: $0, as: UTF8.self) } ?? "None") }
            }
            switch request.format {
            case .json: terminal.print(TableWriter.json(columns: columns, rows: rows))
            case .yaml: terminal.print(TableWriter.yaml(columns: columns, rows: rows).trimmingCharacters(in: .newlines))
            case .tsv: terminal.print(TableWriter.tsv(columns: columns, rows: rows))
            case .pretty, .topology:
                terminal.print(TextTable(columns: columns, rows: rows.map { $0.map(\.plainText) }).rendered)
            }
        }
    }
}
