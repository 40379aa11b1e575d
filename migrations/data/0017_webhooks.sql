-- Outgoing webhooks (issue 4): an operator's endpoints, the deliveries queued for them in the same
-- transaction as the change they announce, and a log of every attempt. Bodies hold ids and codes
-- only (inquiry id and number, statuses, reason codes, times), never personal data; responses are
-- not stored, only their status code and time.

-- An integrator's URL. The signing secret is shown once when the endpoint is created and kept
-- sealed under the keyring's named key `webhook-secrets` (AAD `webhook_endpoint:<id>:secret`).
-- Endpoints are disabled, never deleted, so that their delivery log keeps its meaning.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000 AND url ~ '^https?://'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
  events text[] NOT NULL CHECK (
    cardinality(events) > 0 AND events <@ ARRAY['inquiry.created', 'inquiry.status_changed']::text[]
  ),
  secret_enc bytea NOT NULL,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz
);
CREATE INDEX webhook_endpoints_operator ON webhook_endpoints (operator_id, created_at);
CALL app_enable_tenant_rls('webhook_endpoints');

-- One event for one endpoint. `body` is the exact JSON text sent (every attempt sends the same
-- bytes, signed afresh with the attempt's time); its id is the `Soglasie-Delivery` header that a
-- receiver dedupes on. `event_id` is shared by the deliveries of one event to several endpoints.
-- `inquiry_id` is an id only (no foreign key: the log outlives an inquiry destroyed with its
-- subject, and says nothing about the patient).
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id uuid NOT NULL,
  event_type text NOT NULL CHECK (event_type IN ('inquiry.created', 'inquiry.status_changed')),
  inquiry_id uuid,
  body text NOT NULL CHECK (length(body) <= 8000),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
  next_attempt_at timestamptz NOT NULL,
  -- The last attempt's HTTP status (NULL when no response came) and short error code.
  last_status integer,
  last_error text CHECK (length(last_error) <= 100),
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id);
CREATE INDEX webhook_deliveries_operator ON webhook_deliveries (operator_id, created_at DESC, id);
CALL app_enable_tenant_rls('webhook_deliveries');

-- Every attempt: when, the HTTP status or a short error code (timeout, connection_refused, ...),
-- and how long it took. Never the response body.
CREATE TABLE webhook_attempts (
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  status_code integer,
  error text CHECK (length(error) <= 100),
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (delivery_id, attempt)
);
CALL app_enable_tenant_rls('webhook_attempts');
