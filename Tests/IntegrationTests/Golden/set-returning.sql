-- Set-returning functions in the select list (ProjectSet) and in FROM.
select generate_series(1, 3);
select generate_series(1,3), 'x';
select g, generate_series(1, g) from generate_series(1,3) g;
select generate_series(1,2) + 1 as a, generate_series(1,3) b;
select generate_series(1, 0);
select * from unnest(array[1,2]);
select generate_series(1.5, 3);
select generate_series('2024-01-01'::timestamp, '2024-01-03', '1 day');
select generate_series(1,3) order by 1 desc;
select distinct generate_series(1,3) % 2 as m order by m;
select generate_series(1,10) limit 2;
select unnest(array['a','b']), generate_series(1,3);
select x, generate_series(x, 2) from (values (1), (5)) v(x);
select generate_series(1, 2), count(*) from generate_series(1, 4);
select generate_series(1, 3) where false;
select sum(generate_series(1,3));
select * from generate_series(1.0, 2.0, 0.5);
