-- Server functions and views psql users reach for; values that depend on the machine, time or WAL
-- position are compared by shape only (version() is minipg's own text, so only its shape here).
select count(*) > 0 as has_rows from pg_stat_activity;
select datname, usename, application_name, state, query from pg_stat_activity where pid = pg_backend_pid();
select * from pg_stat_activity where false;
select version() like '%15%' as mentions_15, pg_typeof(version());
select current_setting('server_version_num')::int / 10000 as major;
select current_setting('max_connections'), current_setting('shared_buffers'), current_setting('wal_level');
select current_setting('block_size'), current_setting('wal_segment_size'), current_setting('server_encoding');
select current_database(), current_user, session_user, current_schema(), current_schemas(true);
select pg_typeof(pg_current_wal_lsn()), pg_current_wal_lsn() > '0/0' as advanced;
select pg_typeof(pg_current_wal_insert_lsn()), pg_typeof(pg_current_wal_flush_lsn());
select pg_walfile_name('0/16B3748');
select pg_wal_lsn_diff('0/16B3748', '0/16B0000'), '0/16B3748'::pg_lsn - '0/16B0000'::pg_lsn;
select pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn();
select pg_backend_pid() > 0, pg_typeof(now()), now() = transaction_timestamp(), pg_typeof(pg_postmaster_start_time());
select pg_typeof(txid_current());
select pg_sleep(0.01);
select name, setting, unit, context from pg_settings where name in ('max_connections', 'work_mem', 'fsync', 'wal_compression') order by name;
select pg_size_pretty(8192::bigint), pg_size_pretty(123456789::bigint);
create table sized (x int);
select pg_relation_size('sized'), pg_table_size('sized') >= 0, pg_total_relation_size('sized') >= 0;
drop table sized;
select has_table_privilege('pg_class', 'select'), pg_get_userbyid(10), pg_get_userbyid(6171);
select rolname, rolsuper, rolcanlogin from pg_roles where rolname = 'postgres';
