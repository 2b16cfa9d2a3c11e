// PostgresTimestamp: the wall clock as PostgreSQL counts it in a timestamptz, in commit records and
// in the replication protocol — microseconds since 2000-01-01 00:00:00 UTC (946684800 seconds after
// the Unix epoch). The one place that offset lives.

#if canImport(Glibc)
import Glibc
#endif

public enum PostgresTimestamp {
    /// Seconds from 1970-01-01 to 2000-01-01.
    public static let postgresEpochUnixSeconds: Int64 = 946_684_800

    /// Now, in microseconds since 2000-01-01 UTC.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec) - postgresEpochUnixSeconds) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
