-- Savepoints (subtransactions): psql's ON_ERROR_ROLLBACK (a SAVEPOINT before each statement of a
-- transaction, ROLLBACK TO it after an error, RELEASE after success), explicit nested savepoints,
-- the failed block until ROLLBACK TO, and the errors PostgreSQL gives.
create table sp (id int primary key, v text);
\set ON_ERROR_ROLLBACK on
begin;
insert into sp values (1, 'one');
insert into sp values (1, 'dup');
\echo :SQLSTATE
insert into sp values (2, 'two');
select 1/0;
update sp set v = 'uno' where id = 1;
commit;
select * from sp order by id;
\set ON_ERROR_ROLLBACK off
begin;
insert into sp values (3, 'three');
savepoint a;
insert into sp values (4, 'four');
delete from sp where id = 1;
savepoint b;
update sp set v = 'deux' where id = 2;
select * from sp order by id;
rollback to savepoint a;
select * from sp order by id;
insert into sp values (4, 'quatre');
release savepoint a;
rollback to a;
\echo :SQLSTATE
rollback;
select * from sp order by id;
begin;
insert into sp values (5, 'five');
savepoint s;
select nosuch;
select 1;
\echo :SQLSTATE
release s;
rollback to s;
select count(*) from sp;
savepoint s;
savepoint t;
insert into sp values (6, 'six');
rollback to s;
release t;
\echo :SQLSTATE
rollback to s;
commit;
select * from sp order by id;
savepoint x;
\echo :SQLSTATE
release x;
rollback to x;
begin;
select 1/0;
rollback to savepoint x;
\echo :SQLSTATE
rollback;
