-- Roles: the predefined pg_* roles, CREATE/ALTER/DROP ROLE and what \du shows.
select oid, rolname, rolcanlogin, rolsuper, rolinherit from pg_roles order by oid;
select pg_get_userbyid(6171), pg_get_userbyid(3373);
create role pg_foo;
create role app login password 'secret' connection limit 5;
create user worker;
create role boss superuser createdb;
alter role app nologin;
alter role worker createrole;
\du
create role app;
drop role nosuch;
drop role if exists nosuch;
drop role app, worker, boss;
\du
