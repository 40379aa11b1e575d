-- The inbox's count per status (issue 4), kept up to date instead of counted: counting 100k
-- inquiries takes tens of milliseconds on every inbox page. A trigger appends +1/-1 rows to
-- inquiry_status_deltas for every insert, status change and delete of an inquiry (appends only, so
-- concurrent intakes never wait on a shared counter row); a job folds them into
-- inquiry_status_counts every few seconds. A count is the total plus the deltas not yet folded,
-- read in one statement, so it is exact at every moment. Ids and codes only: no personal data.
CREATE TABLE inquiry_status_counts (
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  status text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (operator_id, status)
);
CALL app_enable_tenant_rls('inquiry_status_counts');

CREATE TABLE inquiry_status_deltas (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  status text NOT NULL,
  d integer NOT NULL CHECK (d IN (-1, 1))
);
CREATE INDEX inquiry_status_deltas_operator ON inquiry_status_deltas (operator_id);
CALL app_enable_tenant_rls('inquiry_status_deltas');

-- Only the trigger and the fold write them (as their owner); the app reads.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON inquiry_status_counts, inquiry_status_deltas FROM soglasie_app;

CREATE FUNCTION inquiry_status_delta() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO inquiry_status_deltas (operator_id, status, d) VALUES (OLD.operator_id, OLD.status, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO inquiry_status_deltas (operator_id, status, d) VALUES (NEW.operator_id, NEW.status, 1);
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION inquiry_status_delta() FROM PUBLIC;

CREATE TRIGGER inquiry_status_counted_insert_delete AFTER INSERT OR DELETE ON inquiries
  FOR EACH ROW EXECUTE FUNCTION inquiry_status_delta();
CREATE TRIGGER inquiry_status_counted_update AFTER UPDATE OF status, operator_id ON inquiries
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.operator_id IS DISTINCT FROM NEW.operator_id)
  EXECUTE FUNCTION inquiry_status_delta();
-- TRUNCATE would bypass the row triggers and leave the counts wrong.
CREATE FUNCTION inquiry_status_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'inquiries are counted per status: delete them instead of truncating' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER inquiry_status_counted_no_truncate BEFORE TRUNCATE ON inquiries
  FOR EACH STATEMENT EXECUTE FUNCTION inquiry_status_no_truncate();

-- Moves the deltas into the totals in one statement; returns how many it moved. Deltas are deleted
-- as they are added, so two folds at once never count one twice (the second skips what the first
-- deleted), and a reader sees either the deltas or the totals they became, never both.
CREATE FUNCTION inquiry_status_fold() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  moved integer;
BEGIN
  WITH gone AS (DELETE FROM inquiry_status_deltas RETURNING operator_id, status, d),
  summed AS (SELECT operator_id, status, sum(d) AS n, count(*) AS k FROM gone GROUP BY operator_id, status),
  upserted AS (
    INSERT INTO inquiry_status_counts AS c (operator_id, status, n)
    SELECT operator_id, status, n FROM summed
    ON CONFLICT (operator_id, status) DO UPDATE SET n = c.n + excluded.n
  )
  SELECT coalesce(sum(k), 0) INTO moved FROM summed;
  RETURN moved;
END $$;
REVOKE ALL ON FUNCTION inquiry_status_fold() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inquiry_status_fold() TO soglasie_app;

-- The inquiries already there.
INSERT INTO inquiry_status_counts (operator_id, status, n)
SELECT operator_id, status, count(*) FROM inquiries GROUP BY operator_id, status;
