-- The inbox ordered by the first contact's due time (issue 4): the soonest due first, ties broken
-- by id (the keyset is (first_contact_due_at, id)). Only new inquiries have a first contact to
-- make, and the inbox sorts by due time by default for them, so the index covers new rows only;
-- it also serves the overdue filter (due before now), which replaces 0012's narrower index.
CREATE INDEX inquiries_new_due_id ON inquiries (operator_id, first_contact_due_at, id) WHERE status = 'new';
DROP INDEX inquiries_new_due;
