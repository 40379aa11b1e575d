-- Channels in and out (issue 4): inquiries that arrive by phone call or messenger, where to answer
-- the patient, the new kinds of history events, and which inquiry an outgoing message belongs to.

-- An inquiry now also arrives by a phone call (telephony webhook) or a messenger / SMS message.
-- Those have no site form: their kind is 'call' or 'message'.
ALTER TABLE inquiries DROP CONSTRAINT inquiries_channel_check;
ALTER TABLE inquiries ADD CONSTRAINT inquiries_channel_check CHECK (channel IN (
  'web_form', 'widget', 'api', 'phone', 'whatsapp', 'telegram', 'sms', 'max'
));
ALTER TABLE inquiries DROP CONSTRAINT inquiries_form_id_check;
ALTER TABLE inquiries ADD CONSTRAINT inquiries_form_id_check CHECK (form_id IN (
  'callback', 'feedback', 'review', 'appointment', 'estimate', 'call', 'message'
));

-- Where the patient wrote from, so the answers go back there: a messenger's chat or user id, or a
-- phone number for SMS and WhatsApp. Personal data, so ciphertext under the subject's data key
-- (AAD `inquiry:<id>:reply_to`). NULL for site forms: those answer by the e-mail or phone given.
ALTER TABLE inquiries
  ADD COLUMN reply_channel text CHECK (reply_channel IN ('whatsapp', 'telegram', 'sms', 'max')),
  ADD COLUMN reply_to_enc bytea,
  ADD CONSTRAINT inquiries_reply_pair CHECK ((reply_channel IS NULL) = (reply_to_enc IS NULL));

-- History: a patient's message added to the inquiry, a phone call, a consent recorded by staff
-- (verbal consent on a call), a message sent to the patient, and a subject merge. `note_enc` now
-- holds the sealed text of a note or message, or the sealed details of a call or consent (JSON);
-- `ref_id` points to the row the event is about (a consent record, an outbox message, the merged
-- subject), an id only.
ALTER TABLE inquiry_events DROP CONSTRAINT inquiry_events_kind_check;
ALTER TABLE inquiry_events ADD CONSTRAINT inquiry_events_kind_check CHECK (kind IN (
  'status', 'note', 'assign', 'message', 'call', 'consent', 'notification', 'merge'
));
ALTER TABLE inquiry_events DROP CONSTRAINT inquiry_events_check1;
ALTER TABLE inquiry_events ADD CONSTRAINT inquiry_events_text_check CHECK (
  (kind NOT IN ('note', 'message') OR note_enc IS NOT NULL)
  AND (note_enc IS NULL OR kind IN ('note', 'message', 'call', 'consent'))
);
ALTER TABLE inquiry_events ADD COLUMN ref_id uuid;

-- Which inquiry an outgoing message is about, so the inquiry shows its delivery state. NULL for
-- messages about no single inquiry (marketing).
ALTER TABLE outbox ADD COLUMN inquiry_id uuid REFERENCES inquiries (id) ON DELETE CASCADE;
CREATE INDEX outbox_inquiry ON outbox (inquiry_id, created_at) WHERE inquiry_id IS NOT NULL;
