-- Triage decisions taken from chat: who decided, when, why, and what the decision created (suppression, scope, expiry).
alter table findings add column decided_by text;
alter table findings add column decided_at timestamptz;
alter table findings add column decision_reason text;
alter table findings add column decision_detail jsonb;
create index findings_decided on findings (decided_at) where decided_at is not null;
create index findings_created on findings (created_at);

-- The chat message that shows a finding, one per platform. `state` = 'posting' records the intent to post before
-- the post, so a retry after a crash looks for the message already posted instead of posting a second card.
-- `intent_at`/`intent_occurrences` do the same for the thread reply announcing a repeat.
create table messages (
  finding_id text not null references findings (id) on delete cascade,
  platform text not null,
  channel text not null,
  ts text,
  thread_ts text,
  state text not null default 'posting' check (state in ('posting', 'posted')),
  occurrences integer not null default 0,
  intent_at timestamptz,
  intent_occurrences integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (finding_id, platform)
);
