-- Errors as psql shows them: message, DETAIL, HINT, LINE/caret, and the SQLSTATE (\echo :SQLSTATE).
create table acct (id int primary key, name varchar(5) not null, amount int2, code char(2) unique);
insert into acct values (1, 'ann', 10, 'aa');
select * from nosuch;
\echo :SQLSTATE
select nosuch from acct;
\echo :SQLSTATE
select acct.nosuch from acct;
\echo :SQLSTATE
select x.id from acct;
\echo :SQLSTATE
select * from acct wher id = 1;
\echo :SQLSTATE
select 1 +;
\echo :SQLSTATE
insert into acct values (1, 'bob', 1, 'bb');
\echo :SQLSTATE
insert into acct values (2, 'bob', 1, 'aa');
\echo :SQLSTATE
insert into acct values (3, null, 1, 'cc');
\echo :SQLSTATE
insert into acct (id) values (4);
\echo :SQLSTATE
update acct set name = null where id = 1;
\echo :SQLSTATE
select 'abc'::int;
\echo :SQLSTATE
select ''::int;
\echo :SQLSTATE
select '1.5'::int;
\echo :SQLSTATE
select 'x'::boolean;
\echo :SQLSTATE
select '2024-13-01'::date;
\echo :SQLSTATE
insert into acct values (5, 'toolongname', 1, 'dd');
\echo :SQLSTATE
insert into acct values (6, 'eve', 40000, 'ee');
\echo :SQLSTATE
select 2147483647 + 1;
\echo :SQLSTATE
select 9223372036854775807::int8 + 1;
\echo :SQLSTATE
select (-32768)::int2 - 1::int2;
\echo :SQLSTATE
select 1 / 0;
\echo :SQLSTATE
select 1.0 / 0;
\echo :SQLSTATE
select 5 % 0;
\echo :SQLSTATE
create table acct (x int);
\echo :SQLSTATE
create index acct_pkey on acct (name);
\echo :SQLSTATE
insert into acct (id, name) values ('x', 'y');
\echo :SQLSTATE
insert into acct (id, name) values (true, 'y');
\echo :SQLSTATE
select * from acct where name;
\echo :SQLSTATE
select * from acct where id = 'abc';
\echo :SQLSTATE
select nosuchfunc(1);
\echo :SQLSTATE
select length(1, 2);
\echo :SQLSTATE
select 1 + 'a'::text;
\echo :SQLSTATE
select id, count(*) from acct;
\echo :SQLSTATE
select id from acct group by name;
\echo :SQLSTATE
select sum(name) from acct;
\echo :SQLSTATE
select * from acct where count(*) > 1;
\echo :SQLSTATE
begin;
select * from nosuch;
select 1;
\echo :SQLSTATE
insert into acct values (9, 'x', 1, 'zz');
commit;
\echo :SQLSTATE
select count(*) from acct;
drop table nosuch;
\echo :SQLSTATE
drop table acct;
