-- insert-only: one INSERT per transaction into pgbench_history, the append-only table of TPC-B.
-- scripts/compare-postgres runs it with `pgbench -f` on both systems. delta is 0 so that TPC-B's
-- invariant (sum(abalance) = sum(delta)) still holds after it; every transaction adds one row.
\set aid random(1, 100000 * :scale)
\set bid random(1, 1 * :scale)
\set tid random(1, 10 * :scale)
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, 0, CURRENT_TIMESTAMP);
