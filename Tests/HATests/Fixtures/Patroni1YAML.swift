// The reference lab's node configuration (../shared/reference/patroni1.yml), verbatim: the file Patroni 3.0.2
// ran with, and the one `minipg node -c` / `minipg ctl -c` must accept unchanged.
// Kept as a Swift string so the test target needs no resource declaration.

enum Patroni1YAML {
    static let text = """
scope: demo
namespace: /service/
name: patroni1

restapi:
  listen: 127.0.0.1:8008
  connect_address: 127.0.0.1:8008
  authentication:
    username: admin
    password: admin

etcd:
  hosts: 127.0.0.1:2379,127.0.0.1:2381,127.0.0.1:2383

bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      pg_hba:
      - local all all trust
      - host all all 127.0.0.1/32 md5
      - host replication replicator 127.0.0.1/32 md5
      parameters:
        max_connections: 100
  initdb:
  - auth-host: md5
  - auth-local: trust
  - encoding: UTF8
  - locale: C.UTF-8
  - data-checksums

postgresql:
  listen: 127.0.0.1:5432
  connect_address: 127.0.0.1:5432
  data_dir: /tmp/anchorlab/patroni1/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /tmp/anchorlab/patroni1/pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicate
  parameters:
    unix_socket_directories: /tmp/anchorlab/patroni1

tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
"""
}
