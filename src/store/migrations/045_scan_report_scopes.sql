-- Scans run one job per scope (an account, a project, a directory): a file in no known format is
-- found by every scan of its scope, so the digest counts the most each scope found, and sums scopes.
alter table scan_reports add column scope text not null default '';
