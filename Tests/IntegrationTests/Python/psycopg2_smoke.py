"""psycopg2 against minipg: password authentication, parameters of several types, a rollback,
savepoints, executemany. Run by DriverSmokeTests with MINIPG_DSN set; exits non-zero (with the
failed check on stderr) when minipg answers differently from PostgreSQL."""
import os
import sys

import psycopg2


def check(actual, expected, what):
    if actual != expected:
        sys.exit(f"{what}: expected {expected!r}, got {actual!r}")


conn = psycopg2.connect(os.environ["MINIPG_DSN"])
cur = conn.cursor()
cur.execute("create table smoke (id int primary key, big bigint, ratio float8, ok boolean, name text)")
conn.commit()

row = (1, 2**40, 2.5, True, "it's \"quoted\"")
cur.execute("insert into smoke values (%s, %s, %s, %s, %s)", row)
cur.execute("insert into smoke values (%s, %s, %s, %s, %s)", (2, -7, -0.125, False, None))
conn.commit()
cur.execute("select id, big, ratio, ok, name from smoke where id = %s", (1,))
check(cur.fetchone(), row, "row 1")
cur.execute("select id, big, ratio, ok, name from smoke where name is null")
check(cur.fetchall(), [(2, -7, -0.125, False, None)], "row 2")

# A transaction rolled back leaves nothing.
cur.execute("insert into smoke (id) values (3)")
conn.rollback()
cur.execute("select count(*) from smoke")
check(cur.fetchone()[0], 2, "rows after rollback")

# A failed statement inside a savepoint: ROLLBACK TO keeps the rest of the transaction.
cur.execute("insert into smoke (id, name) values (4, 'kept')")
cur.execute("savepoint s")
try:
    cur.execute("insert into smoke (id) values (1)")
    sys.exit("a duplicate key was accepted")
except psycopg2.errors.UniqueViolation:
    pass
cur.execute("rollback to savepoint s")
cur.execute("insert into smoke (id, name) values (5, 'after')")
conn.commit()
cur.execute("select id, name from smoke where id > 2 order by id")
check(cur.fetchall(), [(4, "kept"), (5, "after")], "rows after the savepoint")

cur.executemany("insert into smoke (id, name) values (%s, %s)", [(10 + n, f"many {n}") for n in range(5)])
conn.commit()
cur.execute("select count(*), sum(id) from smoke where id >= 10")
check(cur.fetchone(), (5, 60), "executemany")

cur.execute("drop table smoke")
conn.commit()
conn.close()
print("psycopg2 smoke test passed")
