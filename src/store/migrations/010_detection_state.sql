-- Baselines are written whole once per judged day and read whole: stored as json text, not parsed into jsonb.
alter table baselines alter column data type json using data::json;

-- Rollups waiting for detection. Marking a judged hour deletes narrow rows instead of rewriting wide
-- rollups; `saved_at` lets a run leave alone what a scan saved after the run read it.
create table rollups_pending (
  identity_key text not null,
  hour timestamptz not null,
  saved_at timestamptz not null default clock_timestamp(),
  primary key (identity_key, hour)
);
create index rollups_pending_hour on rollups_pending (hour);
insert into rollups_pending (identity_key, hour) select identity_key, hour from rollups where dirty;
drop index rollups_dirty;
alter table rollups drop column dirty;
alter table rollups alter column data type json using data::json;
