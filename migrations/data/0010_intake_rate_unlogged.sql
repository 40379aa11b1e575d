-- The per-address rate-limit windows are short-lived counters: losing them in a crash only resets
-- the limit, so they need no write-ahead log. Unlogged, a public form's submission no longer waits
-- for a disk flush of its counter before the intake even starts (one flush per submission less).
-- They are also not copied to standby servers, where they would mean nothing.
ALTER TABLE intake_rate SET UNLOGGED;
