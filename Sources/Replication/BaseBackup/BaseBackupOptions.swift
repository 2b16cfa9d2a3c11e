// BaseBackupOptions: the options of `BASE_BACKUP ( LABEL 'x', PROGRESS, CHECKPOINT 'fast', WAL,
// WAIT 0, MANIFEST 'yes', TARGET 'client', ... )` as pg_basebackup 15 sends them (PostgreSQL's
// parse_basebackup_options). Boolean options take an optional value (on/off, true/false, 1/0).

import PGWire

public struct BaseBackupOptions: Equatable, Sendable {
    public var label = "base backup"
    /// PROGRESS: send the estimated size in the tablespace list and 'p' progress messages.
    public var progress = false
    /// CHECKPOINT 'fast': an immediate checkpoint instead of a spread one.
    public var fastCheckpoint = false
    /// WAL: include the WAL from the backup's start to its end in pg_wal/ of the archive.
    public var includeWAL = false
    /// WAIT: wait until the WAL up to the end position is archived (no archiving here: ignored).
    public var waitForArchive = true
    /// MANIFEST 'yes' | 'force-encode' | 'no'.
    public var manifest = false
    /// MAX_RATE in kB/s (0 = unlimited).
    public var maxRateKilobytesPerSecond = 0

    public init() {}

    init(_ options: [(String, String?)]) throws(PGError) {
        var seen: Set<String> = []
        for (option, value) in options {
            guard seen.insert(option).inserted else {
                throw PGError(sqlState: "42601", message: "duplicate option \"\(option)\"")
            }
            switch option {
            case "label": label = value ?? ""
            case "progress": progress = try Self.boolean(value, option: option)
            case "checkpoint":
                switch value?.lowercased() {
                case "fast": fastCheckpoint = true
                case "spread": fastCheckpoint = false
                default: throw PGError(sqlState: "22023", message: "unrecognized checkpoint type: \"\(value ?? "")\"")
                }
            case "wal": includeWAL = try Self.boolean(value, option: option)
            case "wait": waitForArchive = try Self.boolean(value, option: option)
            case "manifest":
                switch value?.lowercased() {
                case "yes", "force-encode": manifest = true
                case "no": manifest = false
                default: throw PGError(sqlState: "22023", message: "unrecognized manifest option: \"\(value ?? "")\"")
                }
            case "manifest_checksums":
                guard value?.uppercased() == "CRC32C" || value?.lowercased() == "none" else {
                    throw PGError(sqlState: "0A000", message: "minipg writes CRC32C manifest checksums only")
                }
            case "target":
                guard value?.lowercased() == "client" else {
                    throw PGError(sqlState: "0A000", message: "backup target \"\(value ?? "")\" is not supported by minipg")
                }
            case "max_rate":
                guard let value, let rate = Int(value), rate >= 0 else {
                    throw PGError(sqlState: "22023", message: "invalid value for option \"max_rate\"")
                }
                maxRateKilobytesPerSecond = rate
            case "tablespace_map", "verify_checksums":
                _ = try Self.boolean(value, option: option)   // no tablespaces; pages are always verified
            default:
                throw PGError(sqlState: "42601", message: "unrecognized base backup option \"\(option)\"")
            }
        }
    }

    /// A boolean option's value; no value means true.
    static func boolean(_ value: String?, option: String) throws(PGError) -> Bool {
        guard let value else { return true }
        switch value.lowercased() {
        case "true", "on", "yes", "1": return true
        case "false", "off", "no", "0": return false
        default: throw PGError(sqlState: "22023", message: "\(option) requires a Boolean value")
        }
    }
}
