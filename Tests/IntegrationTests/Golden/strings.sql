-- String functions and operators.
select length('hello'), char_length('héllo'), octet_length('héllo'), upper('MiXeD'), lower('MiXeD');
select 'abc' || 'def', 'n' || 1 || true, concat('a', null, 'b', 2), concat_ws('-', 'a', null, 'b');
select substring('database' from 2 for 3), substring('database', 5), substr('database', 2, 3), left('database', 4), right('database', 4);
select position('base' in 'database'), strpos('database', 'a'), replace('a-b-c', '-', '+'), reverse('abc'), repeat('ab', 3);
select trim('  x  '), ltrim('  x  '), rtrim('  x  '), trim(both 'x' from 'xxaxx'), btrim('xxaxx', 'x');
select lpad('7', 3, '0'), rpad('ab', 5, '.'), lpad('abcdef', 3), initcap('hello world'), split_part('a,b,c', ',', 2);
select 'abc' like 'a%', 'abc' like '_b_', 'ABC' ilike 'a%', 'abc' not like '%d', 'a_c' like 'a\_c';
select 'abc' ~ '^a', 'abc' ~* '^A', 'abc' !~ 'z';
select md5('minipg'), to_hex(255), ascii('A'), chr(66), quote_ident('Mixed Case'), quote_literal('it''s');
select format('%s has %s rows', 'mimuw', 3), format('%I.%L', 'public', 'x');
select 'x'::char(3) || '|', length('x  '::char(3)), 'abc'::varchar(2), 'ab'::char(1);
select string_agg(x, ', ') from (values ('a'), ('b'), ('c')) v(x);
select lower(null), length(null), coalesce(upper(null), 'none');
select 'abcd'::varchar(3);
select substring('hello' from 'l+'), substring('foobar' from 'o(b.)'), substring('abc' from 'z'), substring('hello' from 2), substring('hello' from 2 for 2);
select regexp_replace('abcabc', 'b', 'X'), regexp_replace('abcabc', 'b', 'X', 'g'), regexp_replace('Hello', 'h(.)', '<\1&>', 'i'), regexp_replace('a.b', '\.', '$');
select regexp_replace('Hello', 'h(.)', '<\1&\&>', 'i'), regexp_replace('abc', 'b', '\\');
select upper('ß'), lower('ÀÉ'), upper('ǆ'), initcap('élan vital'), upper('straße');
