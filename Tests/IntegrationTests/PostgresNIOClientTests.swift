// PostgresNIOClientTests: postgres-nio (vapor/postgres-nio), a real driver, as a library client of
// minipg: SCRAM authentication, the extended query protocol with bound parameters in binary format,
// transactions, and errors carrying PostgreSQL's SQLSTATEs.

import Foundation
import Logging
import PostgresNIO
import XCTest

final class PostgresNIOClientTests: XCTestCase {
    private func withClient(_ instance: MiniPGInstance, _ body: @Sendable (PostgresClient) async throws -> Void) async throws {
        let configuration = PostgresClient.Configuration(
            host: "127.0.0.1", port: instance.port, username: "postgres",
            password: instance.password, database: "postgres", tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "postgres-nio"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            do {
                try await body(client)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    func testQueriesWithParametersAndTransactions() async throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        try await withClient(instance) { client in
            let rows = try await client.query("SELECT 1 + 1 AS two, pg_is_in_recovery() AS rec")
            for try await (two, recovering) in rows.decode((Int, Bool).self) {
                XCTAssertEqual(two, 2)
                XCTAssertFalse(recovering)
            }
            try await client.query("create table items (id int primary key, name text not null, price float8)")
            for id in 1...20 {
                let name = "item \(id)"
                let price = Double(id) * 1.5
                try await client.query("insert into items (id, name, price) values (\(id), \(name), \(price))")
            }
            var names: [String] = []
            let low = 5
            let high = 7
            for try await name in try await client.query("select name from items where id between \(low) and \(high) order by id").decode(String.self) {
                names.append(name)
            }
            XCTAssertEqual(names, ["item 5", "item 6", "item 7"])
            for try await (count, total) in try await client.query("select count(*), sum(price) from items").decode((Int, Double).self) {
                XCTAssertEqual(count, 20)
                XCTAssertEqual(total, 315.0, accuracy: 0.0001)
            }
            try await client.withConnection { connection in
                try await connection.query("begin", logger: Logger(label: "test"))
                try await connection.query("delete from items where id > 10", logger: Logger(label: "test"))
                try await connection.query("rollback", logger: Logger(label: "test"))
            }
            for try await count in try await client.query("select count(*) from items").decode(Int.self) {
                XCTAssertEqual(count, 20)
            }
        }
    }

    func testErrorsCarrySQLState() async throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        try await withClient(instance) { client in
            do {
                try await client.query("select * from missing_table")
                XCTFail("expected an error")
            } catch let error as PSQLError {
                XCTAssertEqual(error.serverInfo?[.sqlState], "42P01")
                XCTAssertEqual(error.serverInfo?[.message], "relation \"missing_table\" does not exist")
            }
            try await client.query("create table u (id int primary key)")
            try await client.query("insert into u values (1)")
            do {
                try await client.query("insert into u values (1)")
                XCTFail("expected a unique violation")
            } catch let error as PSQLError {
                XCTAssertEqual(error.serverInfo?[.sqlState], "23505")
            }
        }
    }
}
