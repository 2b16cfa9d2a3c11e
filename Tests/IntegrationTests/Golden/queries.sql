-- The SELECT slice: GROUP BY/HAVING, DISTINCT, ORDER BY ... NULLS FIRST/LAST, LIMIT/OFFSET,
-- inner/left joins, subqueries in FROM and IN, EXISTS, CASE, casts and NULL semantics.
create table dept (id int primary key, name text not null, city text);
create table emp (id int primary key, name text, dept_id int, salary numeric(8,2), boss int, hired date);
insert into dept values (1, 'eng', 'Warsaw'), (2, 'ops', null), (3, 'hr', 'Krakow'), (4, 'empty', 'Gdansk');
insert into emp values
  (1, 'ann', 1, 5000, null, '2020-01-10'),
  (2, 'bob', 1, 4000, 1, '2021-03-01'),
  (3, 'cid', 2, 3500, 1, '2019-07-15'),
  (4, 'dan', 2, null, 3, '2022-11-30'),
  (5, 'eve', 3, 4200, 1, null),
  (6, 'fay', null, 3000, 2, '2023-05-05');
select dept_id, count(*), sum(salary), min(salary), max(salary) from emp group by dept_id order by dept_id;
select dept_id, count(*) from emp group by dept_id having count(*) > 1 order by 1;
select dept_id, avg(salary)::numeric(10,2) as avg from emp group by dept_id having avg(salary) > 3600 order by avg desc;
select count(*), count(salary), count(distinct dept_id) from emp;
select distinct dept_id from emp order by dept_id nulls first;
select distinct city is null as no_city from dept order by 1;
select name, salary from emp order by salary nulls first, name;
select name, salary from emp order by salary desc nulls last, name;
select name, salary from emp order by salary desc, name;
select name from emp order by id limit 2;
select name from emp order by id limit 2 offset 3;
select name from emp order by id offset 4;
select name from emp order by id limit 0;
select e.name, d.name as dept from emp e join dept d on d.id = e.dept_id order by e.name;
select e.name, d.name as dept from emp e left join dept d on d.id = e.dept_id order by e.name;
select d.name, count(e.id) from dept d left join emp e on e.dept_id = d.id group by d.name order by d.name;
select e.name, b.name as boss from emp e left join emp b on b.id = e.boss order by e.id;
select e.name, d.city from emp e, dept d where e.dept_id = d.id and d.city is not null order by 1;
select * from (select dept_id, sum(salary) as total from emp group by dept_id) t where total > 4000 order by total;
select name from emp where dept_id in (select id from dept where city is not null) order by name;
select name from emp where dept_id not in (select id from dept where city = 'Warsaw') order by name;
select name from dept d where exists (select 1 from emp e where e.dept_id = d.id) order by name;
select name from dept d where not exists (select 1 from emp e where e.dept_id = d.id) order by name;
select name, (select count(*) from emp e where e.dept_id = d.id) as staff from dept d order by id;
select name, case when salary >= 4500 then 'high' when salary >= 3500 then 'mid' when salary is null then 'unknown' else 'low' end as band from emp order by id;
select name, case dept_id when 1 then 'one' when 2 then 'two' end from emp order by id;
select 1::text, '12'::int + 3, 3.7::int, -3.5::int, '2024-02-29'::date + 1, 10::numeric / 4, 10 / 4, 10 % 4, 2 ^ 10;
select cast('t' as boolean), 'yes'::boolean, 1::boolean, '1.5e3'::float8, 255::int2, '  42  '::int8;
select null::int + 1, null || 'x', null = null, null <> 1, null and false, null or true, not null::boolean;
select coalesce(null, null, 3), nullif(5, 5), nullif(5, 6), greatest(1, null, 3), least(2, null, 1);
select 1 between 0 and 2, 5 not between 0 and 2, 'b' in ('a', 'b'), 3 in (1, null), 3 not in (1, null);
select null is distinct from 1, null is not distinct from null, true is true, null is unknown;
select sum(x), avg(x), count(x) from (select null::int as x) s;
select max(name), min(hired) from emp where false;
select dept_id, string_agg(name, ',' order by name) from emp group by dept_id order by dept_id;
select 'a' union select 'b' union all select 'a' order by 1;
select string_agg(x::text, '-' order by x desc), array_agg(x order by x desc), array_agg(x order by -x nulls first) from generate_series(1,3) x;
select k, string_agg(v, ',' order by v), count(distinct v) from (values (1, 'b'), (1, 'a'), (2, 'c'), (1, 'a'), (2, null)) t(k, v) group by k order by k;
select array_agg(v order by v nulls first), array_agg(v order by v desc nulls last) from (values ('b'), (null), ('a')) t(v);
drop table emp, dept;
