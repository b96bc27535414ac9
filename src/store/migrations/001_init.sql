-- Identities seen in any source; key = cloud|account|principal id.
create table identities (
  key text primary key,
  cloud text not null,
  account text not null,
  principal_id text not null,
  display_name text not null,
  principal_type text not null,
  first_seen timestamptz not null,
  last_seen timestamptz not null
);
create index identities_principal on identities (lower(principal_id));
create index identities_name on identities (lower(display_name));

-- Hourly activity per identity; `data` is the Rollup JSON. `dirty` = not yet judged by the detectors.
create table rollups (
  identity_key text not null references identities (key),
  hour timestamptz not null,
  ops integer not null,
  bytes_out bigint not null,
  data jsonb not null,
  dirty boolean not null default true,
  primary key (identity_key, hour)
);
create index rollups_dirty on rollups (hour) where dirty;
create index rollups_hour on rollups (hour);

-- What normal looks like per identity, learnt up to `through` (exclusive).
create table baselines (
  identity_key text primary key references identities (key),
  through timestamptz not null,
  data jsonb not null,
  updated_at timestamptz not null default now()
);

create table findings (
  id text primary key,
  group_key text not null,
  detector text not null,
  severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
  status text not null default 'open' check (status in ('open', 'benign', 'escalated', 'suppressed')),
  identity_key text not null references identities (key),
  cloud text not null,
  account text not null,
  principal_id text not null,
  principal_name text not null,
  scope text not null,
  start_at timestamptz not null,
  end_at timestamptz not null,
  occurrences integer not null default 1,
  title text not null,
  summary text not null,
  evidence jsonb not null,
  suppressed_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index findings_group on findings (group_key, end_at);
create index findings_identity on findings (identity_key, end_at);
create index findings_status on findings (status, created_at);

create table suppressions (
  id text primary key,
  identity_key text,
  detector text,
  ip text,
  bucket text,
  reason text not null,
  author text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  target text,
  result text not null,
  detail jsonb not null default '{}'::jsonb
);

-- Read position per source and scope (for files: one row per file, position = size and mtime).
create table cursors (
  source text not null,
  scope text not null,
  position jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (source, scope)
);
