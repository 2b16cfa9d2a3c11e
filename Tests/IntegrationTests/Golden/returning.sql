-- INSERT/UPDATE/DELETE ... RETURNING, with serial ids, defaults and expressions.
create table notes (id serial primary key, body text not null, stars int default 0, created date default '2024-03-01');
insert into notes (body) values ('first') returning *;
insert into notes (body, stars) values ('second', 3), ('third', 5) returning id, body, stars * 2 as doubled;
insert into notes (body) values ('fourth') returning id;
insert into notes (body) select 'copy of ' || body from notes where stars > 0 returning id, body;
insert into notes (body) values ('quiet');
update notes set stars = stars + 1 where stars >= 3 returning id, stars;
update notes set body = upper(body) where id = 1 returning *;
update notes set stars = 0 where id = 999 returning id;
delete from notes where body like 'copy%' returning id, body;
delete from notes where id = 999 returning *;
select * from notes order by id;
insert into notes (id, body) values (2, 'dup') returning id;
insert into notes (body) values (null) returning id;
delete from notes returning count(*);
delete from notes;
drop table notes;
