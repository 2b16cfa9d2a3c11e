-- psql meta-commands over minipg's pg_catalog: \dt \d \di \l \du \dn, with patterns.
create table alpha (id serial primary key, name text unique);
create table beta (a int, b int);
create index beta_ab on beta (a, b);
create role reader login password 'x';
create role admin createdb createrole;
create role limited login connection limit 3;
\dt
\dt a*
\dt public.*
\dt nosuch
\di
\di alpha*
\d alpha_name_key
\d beta_ab
\d alpha*
\du
\du reader
\dn
\l
\l postgres
drop role reader;
drop role admin;
drop role limited;
drop table alpha, beta;
\dt
\di
