// ServerConfigurationTests: postgresql.conf + -c overrides, validated by the settings registry, and
// the data directory's lock file.

import Foundation
import Testing
@testable import Server

@Suite("Server configuration and data directory")
struct ServerConfigurationTests {
    private func makeDirectory(conf: String) throws -> DataDirectory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-config-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let directory = DataDirectory(path)
        try conf.write(toFile: directory.configFile, atomically: true, encoding: .utf8)
        return directory
    }

    @Test func fileThenCommandLineWithUnits() throws {
        let directory = try makeDirectory(conf: "port = 6000\nshared_buffers = 1MB  # small\nfsync = off\nwal_compression = zstd\n")
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let configuration = try ServerConfiguration.load(directory: directory, overrides: [("port", "6001")])
        #expect(configuration.port == 6001)
        #expect(configuration.storage.sharedBuffers == 128)
        #expect(configuration.storage.wal.fsync == false)
        #expect(configuration.storage.wal.compression == .zstd)
    }

    @Test func unknownSettingIsAnErrorThatNamesIt() throws {
        let directory = try makeDirectory(conf: "no_such_setting = 1\n")
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        #expect {
            _ = try ServerConfiguration.load(directory: directory, overrides: [])
        } throws: { String(describing: $0).contains("unrecognized configuration parameter \"no_such_setting\"") }
    }

    @Test func badValueIsAnError() throws {
        let directory = try makeDirectory(conf: "")
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        #expect {
            _ = try ServerConfiguration.load(directory: directory, overrides: [("max_connections", "lots")])
        } throws: { String(describing: $0).contains("max_connections") }
    }

    @Test func lockFileRefusesASecondLiveServerAndReplacesAStaleOne() throws {
        let directory = try makeDirectory(conf: "")
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        // A stale lock left by a crashed server (pid 2^22+1 is not alive here) is replaced.
        try "4194305\n\(directory.path)\n".write(toFile: directory.pidFile, atomically: true, encoding: .utf8)
        try directory.lock(port: 5432, listenAddresses: "localhost", startTime: Date())
        #expect(try String(contentsOfFile: directory.pidFile, encoding: .utf8).hasPrefix("\(getpid())\n"))
        // A lock held by a live process (our parent stands in for another postmaster) is refused.
        try "\(getppid())\n\(directory.path)\n".write(toFile: directory.pidFile, atomically: true, encoding: .utf8)
        #expect {
            try directory.lock(port: 5432, listenAddresses: "localhost", startTime: Date())
        } throws: { String(describing: $0).contains("lock file \"postmaster.pid\" already exists") }
        directory.unlock()
    }
}
