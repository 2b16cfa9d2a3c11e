-- psql's expanded display (\x) over minipg's results, including NULLs, empty results and wide values.
create table wide (id int, title text, body text, flag boolean);
insert into wide values (1, 'short', 'a fairly long body of text that makes the column wide', true), (2, null, '', false);
\x
select * from wide order by id;
select * from wide where false;
select 1 as one, 'two' as "second column", null as nothing;
\x off
\x auto
select * from wide order by id;
\x
select count(*) from wide;
\x
\pset null '(null)'
select * from wide order by id;
\pset format unaligned
select * from wide order by id;
\pset format aligned
\pset border 2
select * from wide order by id;
drop table wide;
