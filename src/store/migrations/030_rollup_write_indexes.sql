-- Fewer indexes to update per rollup written (issue 11). Nothing looks rollups up by hour alone:
-- every read names the identity first, which the primary key serves. The pending table's key starts
-- with the hour instead, so one index serves both the upsert and the hour ranges detection reads.
drop index if exists rollups_hour;
alter table rollups_pending drop constraint rollups_pending_pkey;
alter table rollups_pending add primary key (hour, identity_key);
drop index if exists rollups_pending_hour;
