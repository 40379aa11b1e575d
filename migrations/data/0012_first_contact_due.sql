-- The first contact's due time (issue 4): each operator's weekly working hours, and on each
-- inquiry the moment by which someone should have contacted the patient, computed at intake from
-- those hours, the clinic's time zone and the production calendar.

-- NULL: the default clinic hours (Mon-Fri 08:00-20:00, Sat 09:00-15:00, Sun closed).
ALTER TABLE operators ADD COLUMN working_hours jsonb;

-- NULL for inquiries from before this migration.
ALTER TABLE inquiries ADD COLUMN first_contact_due_at timestamptz;
CREATE INDEX inquiries_new_due ON inquiries (operator_id, first_contact_due_at) WHERE status = 'new';
