"""psycopg 3 against minipg: password authentication, server-side parameters (extended protocol)
of several types, a rollback, nested `with conn.transaction()` blocks (savepoints) with an
exception in the inner one, executemany. Run by DriverSmokeTests with MINIPG_DSN set; exits
non-zero (with the failed check on stderr) when minipg answers differently from PostgreSQL."""
import os
import sys

import psycopg


def check(actual, expected, what):
    if actual != expected:
        sys.exit(f"{what}: expected {expected!r}, got {actual!r}")


class Planned(Exception):
    pass


with psycopg.connect(os.environ["MINIPG_DSN"]) as conn:
    conn.execute("create table smoke (id int primary key, big bigint, ratio float8, ok boolean, name text)")
    conn.commit()

    row = (1, 2**40, 2.5, True, "it's \"quoted\"")
    conn.execute("insert into smoke values (%s, %s, %s, %s, %s)", row)
    conn.execute("insert into smoke values (%s, %s, %s, %s, %s)", (2, -7, -0.125, False, None))
    conn.commit()
    check(conn.execute("select id, big, ratio, ok, name from smoke where id = %s", (1,)).fetchone(), row, "row 1")
    check(conn.execute("select id, big, ratio, ok, name from smoke where name is null").fetchall(),
          [(2, -7, -0.125, False, None)], "row 2")
    # Binary results.
    with conn.cursor(binary=True) as cur:
        check(cur.execute("select id, big, ratio, ok, name from smoke where id = %s", (1,)).fetchone(), row, "binary row")

    conn.execute("insert into smoke (id) values (3)")
    conn.rollback()
    check(conn.execute("select count(*) from smoke").fetchone()[0], 2, "rows after rollback")
    conn.commit()

    # Nested transaction blocks: the inner one is a savepoint; its exception rolls back to it only.
    with conn.transaction():
        conn.execute("insert into smoke (id, name) values (4, 'outer')")
        try:
            with conn.transaction():
                conn.execute("insert into smoke (id, name) values (5, 'inner')")
                raise Planned()
        except Planned:
            pass
        try:
            with conn.transaction():
                conn.execute("insert into smoke (id) values (1)")
        except psycopg.errors.UniqueViolation:
            pass
        with conn.transaction():
            conn.execute("insert into smoke (id, name) values (6, 'released')")
        conn.execute("insert into smoke (id, name) values (7, 'after')")
    check(conn.execute("select id, name from smoke where id > 2 order by id").fetchall(),
          [(4, "outer"), (6, "released"), (7, "after")], "rows after the nested blocks")
    conn.commit()

    with conn.cursor() as cur:
        cur.executemany("insert into smoke (id, name) values (%s, %s)", [(10 + n, f"many {n}") for n in range(5)])
    conn.commit()
    check(conn.execute("select count(*), sum(id) from smoke where id >= 10").fetchone(), (5, 60), "executemany")

    conn.execute("drop table smoke")
    conn.commit()
print("psycopg 3 smoke test passed")
