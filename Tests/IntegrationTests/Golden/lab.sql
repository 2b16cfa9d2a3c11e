create table mimuw (id int);
\dt
insert into mimuw select generate_series(1, 100000);
select count(*), sum(id) from mimuw;
select pg_is_in_recovery();
\d mimuw
