-- COPY through psql: FROM stdin with inline data, TO STDOUT in text and CSV, and \copy.
create table people (id int primary key, name text, born date, score numeric(5,1), note varchar(20));
copy people from stdin;
1	ann	1990-01-02	7.5	first
2	bob	\N	8.0	tab\there
3	cid	1985-12-31	\N	back\\slash
\.
copy people (id, name) from stdin;
4	dan
\.
copy people from stdin with (format csv, header true);
id,name,born,score,note
5,eve,2000-02-29,9.9,"quoted, comma"
6,"fay ""f""",,1.0,
\.
select * from people order by id;
copy people to stdout;
copy people (id, note) to stdout with (format csv, header);
copy (select id, upper(name) from people where id < 3 order by id) to stdout;
copy people to stdout with (format csv, delimiter ';', null 'NULL');
copy people from stdin;
7	gus	notadate	1	x
\.
copy people from stdin;
8	hal
\.
copy people from stdin;
1	dup	\N	\N	\N
\.
select count(*) from people;
\copy people to '/tmp/minipg_golden_people.txt'
delete from people;
\copy people from '/tmp/minipg_golden_people.txt'
select count(*), sum(id) from people;
\copy (select name from people where id > 4 order by id) to stdout
\copy people (id, name) from stdin
9	ivy
\.
select id, name from people where id = 9;
copy nosuch from stdin;
copy people (nosuch) to stdout;
drop table people;
