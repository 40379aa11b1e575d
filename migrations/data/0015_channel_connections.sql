-- Channels in (issue 4): each operator's connections to messengers, the SMS gateway and telephony,
-- the provider event ids already taken (replay protection), and the evidence of a consent given
-- by voice on a recorded call.

-- One connection per operator and provider at a time (a disabled one stays, for the record). The
-- provider calls `/hooks/<provider>/<path_token>`: the token names the connection, and so the
-- operator, before anything else is read; it is an address, not the credential (every request is
-- also checked against the connection's secret or signature). The credentials (bot tokens, app
-- secrets, webhook secrets) are one AES-256-GCM blob under the keyring's named key
-- `channel-credentials:<operator id>` (AAD `channel_connection:<id>:credentials`). No personal
-- data here, so no row-level security: the webhook must find its connection before it knows the
-- operator.
CREATE TABLE channel_connections (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('telegram', 'whatsapp', 'sms_ru', 'max', 'telephony')),
  path_token text NOT NULL UNIQUE CHECK (path_token ~ '^[A-Za-z0-9_-]{32,100}$'),
  credentials_enc bytea NOT NULL,
  created_at timestamptz NOT NULL,
  -- A staff id or job name, never a name.
  created_by text,
  disabled_at timestamptz,
  disabled_by text
);
CREATE UNIQUE INDEX channel_connections_active ON channel_connections (operator_id, provider)
  WHERE disabled_at IS NULL;

-- Provider event ids already stored, per connection: a Telegram update_id, a WhatsApp or MAX
-- message id, our telephony and SMS event ids. Written in the transaction that stores the event,
-- so a failed one can be delivered again and a stored one never twice. Ids only.
CREATE TABLE channel_inbound_seen (
  connection_id uuid NOT NULL REFERENCES channel_connections (id) ON DELETE CASCADE,
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, event_id)
);
CREATE INDEX channel_inbound_seen_at ON channel_inbound_seen (seen_at);

-- A consent given by voice on a recorded call (recorded by staff): the telephony system's reference
-- to the recording is the evidence, sealed under the subject's data key (AAD
-- `consent:<id>:evidence`), so it goes with the subject.
ALTER TABLE consent_records ADD COLUMN evidence_enc bytea;
