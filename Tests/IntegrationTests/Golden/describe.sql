-- \d of tables with the issue's column types, defaults, keys, unique constraints and indexes.
create table items (
    id serial primary key,
    code varchar(12) not null unique,
    grade char(2) default 'A',
    price numeric(10,2) not null default 0.00,
    weight float8,
    qty int2 default 1,
    total int8,
    ok boolean default false,
    made timestamp,
    seen timestamptz default now(),
    born date,
    notes text default 'none',
    label varchar(8) default 'new',
    delta int default -1,
    big int8 default 5,
    ratio float8 default 1.5,
    start date default '2024-01-01'
);
create table tags (item_id bigint not null, tag varchar(20), weight real, primary key (item_id, tag));
create table plain (a int, b text);
alter table plain add constraint plain_a_key unique (a);
create index items_price on items (price);
create index items_made_code on items (made, code);
create unique index tags_tag on tags (tag);
\d items
\d tags
\d plain
\d
\dt
\di
\ds
\d items_pkey
\d items_price
\d nosuch
\dt nosuch*
drop table items, tags, plain;
\d
