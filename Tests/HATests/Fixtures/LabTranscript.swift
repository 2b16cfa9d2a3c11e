// Outputs of patronictl copied from the lab transcript (../shared/reference/patroni-lab-transcript.md)
// that more than one test compares against.

enum LabTranscript {
    /// `patronictl show-config` of the lab's bootstrap configuration, without click's extra blank line.
    static let showConfig = """
        loop_wait: 10
        maximum_lag_on_failover: 1048576
        postgresql:
          parameters:
            max_connections: 100
          pg_hba:
          - local all all trust
          - host all all 127.0.0.1/32 md5
          - host replication replicator 127.0.0.1/32 md5
          use_pg_rewind: true
        retry_timeout: 10
        ttl: 30

        """
}
