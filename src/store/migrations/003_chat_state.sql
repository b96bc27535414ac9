-- Small facts a chat platform learns and must remember across restarts and processes,
-- such as the Bot Connector service URL of each Microsoft Teams tenant.
create table chat_state (
  platform text not null,
  key text not null,
  value text not null,
  updated_at timestamptz not null default now(),
  primary key (platform, key)
);
