-- Commits no longer queue behind the audit chain's head.
--
-- Since 0008 a transaction's entries join the chain in a deferred trigger at commit, which holds
-- the head row's lock until the commit is on disk. Every auditing transaction therefore committed
-- one after another (measured: intake at about 250 requests/s on 2 cores, with most waiting
-- sessions queued on that lock at COMMIT while the CPUs were half idle).
--
-- Now a committing transaction takes the head only if it is free (SKIP LOCKED). Whoever holds it
-- moves into the chain, in the order they were written, every staged entry it can see: its own and
-- those of every transaction that committed before. A transaction that finds the head taken
-- commits at once and leaves its entries staged; the next one to take the head moves them, or the
-- `audit-sequence` job does within seconds, and verification and reads of the log call
-- audit_sequence_pending() first. Without concurrent commits (a quiet installation, the tests),
-- every transaction takes the head and the chain is written at commit exactly as before. The chain,
-- its hashing and verify-audit are unchanged; staged entries are as out of the app's reach as the
-- chain itself (only audit_stage() can add them).

CREATE FUNCTION audit_sequence_pending() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  r audit_pending%ROWTYPE;
  n integer := 0;
  done bigint[] := '{}';
BEGIN
  PERFORM 1 FROM audit_head WHERE singleton FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  -- Holding the head, earlier holders have committed: what they moved is gone from this snapshot.
  FOR r IN SELECT * FROM audit_pending ORDER BY seq LOOP
    PERFORM audit_append(r.at, r.actor_type, r.actor_id, r.action, r.object_type, r.object_id,
      r.subject_id, r.operator_id, r.source, r.result);
    done := done || r.seq;
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    DELETE FROM audit_pending WHERE seq = ANY (done);
  END IF;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION audit_sequence_pending() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_sequence_pending() TO soglasie_app;

CREATE OR REPLACE FUNCTION audit_flush_pending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM audit_sequence_pending();
  RETURN NULL;
END $$;

-- The trigger still fires once per staged row (constraint triggers are row triggers): the first
-- call moves the transaction's entries, later ones in the same commit find little or nothing.
-- The app runs every transaction at READ COMMITTED, so the loop's snapshot, taken after the head
-- was acquired, sees what earlier holders moved.
