-- What the partitions of a detection run judged on one day, waiting for the run to record the day's
-- findings at once (the storm guard counts across partitions) and to learn the peers from them.
-- A partition writes its row in the transaction that stores its baselines and consumes its pending rows.
create table detection_staged (
  id bigserial primary key,
  day timestamptz not null,
  detections json not null,
  contributions json not null
);
create index detection_staged_day on detection_staged (day);
