-- Deliveries of chat actions already applied, by a platform-neutral key (Slack: the click's or the
-- submission's trigger id; Teams: the activity id), so a replayed or retried delivery acts once.
create table chat_deliveries (
  key text primary key,
  at timestamptz not null default now()
);
create index chat_deliveries_at on chat_deliveries (at);

-- What each scan job could not read: rejected records and files in no known format, with the
-- first few places and reasons, for the daily digest (which may run in another process).
create table scan_reports (
  id bigserial primary key,
  at timestamptz not null default now(),
  provider text not null,
  rejected integer not null,
  unknown_files integer not null,
  samples jsonb not null default '{}'::jsonb
);
create index scan_reports_at on scan_reports (at);

-- Digests posted, one per platform and day, so a retried digest job does not post again.
create table digests (
  platform text not null,
  day text not null,
  channel text not null,
  ts text not null,
  posted_at timestamptz not null default now(),
  primary key (platform, day)
);
