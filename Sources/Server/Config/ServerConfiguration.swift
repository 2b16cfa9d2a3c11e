// ServerConfiguration: everything a server needs to know at startup, read from postgresql.conf and
// postgresql.auto.conf in the data directory and then the command line's -c overrides (later wins),
// validated against SQLMini's settings registry: an unknown name or a bad value stops the server with
// an error that names it (PostgreSQL does the same at startup).

import Foundation
import SQLMini
import Storage
import WAL

public struct ServerConfiguration: Sendable {
    public var settings: ServerSettings

    public var port: Int { settings.port }
    public var listenAddresses: [String] { settings.listenAddresses }
    public var maxConnections: Int { settings.maxConnections }
    /// The socket directories that exist (PostgreSQL fails on a missing one; we skip it with a warning
    /// so that a machine without /var/run/postgresql still starts).
    public var unixSocketDirectories: [String] {
        settings.unixSocketDirectories.filter { FileManager.default.fileExists(atPath: $0) }
    }
    public var passwordEncryption: String { settings.passwordEncryption }

    /// What the storage engine needs: buffer pool size, WAL durability and checkpoint pacing.
    public var storage: StorageConfiguration {
        var wal = WALConfiguration(fsync: settings.fsync,
                                   compression: settings.walCompression == "zstd" ? .zstd : .off,
                                   segmentSize: settings.walSegmentSize)
        wal.walBuffers = max(wal.walBuffers, 0)
        return StorageConfiguration(sharedBuffers: max(settings.sharedBufferPages, 16), wal: wal,
                                    synchronousCommit: settings.synchronousCommit,
                                    checkpointTimeout: settings.checkpointTimeout,
                                    maxWALSize: settings.maxWALSizeBytes,
                                    maxStandbyStreamingDelay: settings.maxStandbyStreamingDelay)
    }

    /// autovacuum's pacing (started by ServerInstance when `autovacuum` is on).
    public var autovacuum: AutovacuumConfiguration {
        AutovacuumConfiguration(naptime: settings.autovacuumNaptime, threshold: settings.autovacuumVacuumThreshold,
                                scaleFactor: settings.autovacuumVacuumScaleFactor,
                                logMinDuration: settings.logAutovacuumMinDuration)
    }

    /// The ParameterStatus values every client receives after authentication.
    public var parameterStatus: [(String, String)] { settings.reportedParameters }

    public static func load(directory: DataDirectory, overrides: [(String, String)]) throws -> ServerConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: directory.configFile, encoding: .utf8)
        } catch {
            throw ServerError("could not open configuration file \"\(directory.configFile)\": No such file or directory")
        }
        var settings = try describing(directory.configFile) { try ServerSettings.load(fileContents: text, fileName: directory.configFile) }
        if let auto = try? String(contentsOfFile: directory.autoConfigFile, encoding: .utf8) {
            let entries = try describing(directory.autoConfigFile) { try ConfigFileParser.parse(auto, fileName: directory.autoConfigFile) }
            for entry in entries {
                try describing(directory.autoConfigFile) { try settings.set(entry.name, to: entry.value) }
            }
        }
        for (name, value) in overrides {
            try describing("the command line") { try settings.set(name, to: value) }
        }
        settings.setInternal("data_directory", .string(directory.path))
        return ServerConfiguration(settings: settings)
    }

    /// Turns a SQLError from the registry into a startup error that keeps PostgreSQL's wording.
    private static func describing<T>(_ source: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLError {
            throw ServerError(error.message, detail: error.detail ?? "While reading \(source).", hint: error.hint)
        }
    }
}
