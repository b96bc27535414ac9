-- Ingest writes every identity and its rollups in one transaction, identities first, so the foreign key
-- from rollups to identities only costs: its per-row check was 30-45% of the CPU of loading rollups
-- on embedded PGlite (issue 11). Baselines and findings keep theirs (a few rows per identity-day).
alter table rollups drop constraint if exists rollups_identity_key_fkey;
