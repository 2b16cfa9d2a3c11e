// ReplicationClock: PostgreSQL's TimestampTz as the replication protocol carries it — microseconds
// since 2000-01-01 00:00:00 UTC (946684800 seconds after the Unix epoch).

#if canImport(Glibc)
import Glibc
#endif

public enum ReplicationClock {
    /// Seconds from 1970-01-01 to 2000-01-01.
    public static let postgresEpochUnixSeconds: Int64 = 946_684_800

    /// Now, in microseconds since 2000-01-01 UTC.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec) - postgresEpochUnixSeconds) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
