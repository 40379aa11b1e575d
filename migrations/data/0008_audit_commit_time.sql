-- Audit entries join the hash chain at commit time, not when they are written.
--
-- audit_append() serialises on the chain's head row until the transaction ends. Called in the
-- middle of a transaction, it made every other transaction that audits wait for all the rest of
-- this one's work (measured: intake at 32 requests/s, most sessions waiting on that lock). Now a
-- transaction stages its entries in audit_pending without any lock, and a deferred constraint
-- trigger moves them into the chain, in the order they were written, as the transaction commits:
-- the head is held only for that move and the commit itself. A rolled-back transaction leaves
-- nothing, as before. The chain, its hashing and verify-audit are unchanged.

CREATE TABLE audit_pending (
  seq bigserial PRIMARY KEY,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  action text NOT NULL,
  object_type text,
  object_id text,
  subject_id uuid,
  operator_id uuid,
  source text,
  result text NOT NULL
);
CREATE INDEX audit_pending_txid ON audit_pending (txid);
REVOKE ALL ON audit_pending FROM soglasie_app;

CREATE FUNCTION audit_stage(
  p_at timestamptz, p_actor_type text, p_actor_id text, p_action text, p_object_type text,
  p_object_id text, p_subject_id uuid, p_operator_id uuid, p_source text, p_result text
) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO audit_pending (at, actor_type, actor_id, action, object_type, object_id, subject_id,
    operator_id, source, result)
  VALUES (p_at, p_actor_type, p_actor_id, p_action, p_object_type, p_object_id, p_subject_id,
    p_operator_id, p_source, p_result)
$$;
REVOKE ALL ON FUNCTION audit_stage(timestamptz, text, text, text, text, text, uuid, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_stage(timestamptz, text, text, text, text, text, uuid, uuid, text, text) TO soglasie_app;

CREATE FUNCTION audit_flush_pending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  r audit_pending%ROWTYPE;
  n integer := 0;
BEGIN
  FOR r IN SELECT * FROM audit_pending WHERE txid = pg_current_xact_id() ORDER BY seq LOOP
    PERFORM audit_append(r.at, r.actor_type, r.actor_id, r.action, r.object_type, r.object_id,
      r.subject_id, r.operator_id, r.source, r.result);
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    DELETE FROM audit_pending WHERE txid = pg_current_xact_id();
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_pending_flush AFTER INSERT ON audit_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_flush_pending();
