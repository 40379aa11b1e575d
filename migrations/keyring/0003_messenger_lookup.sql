-- Patients who write from Telegram or MAX are known by their messenger user id, not by a phone:
-- those ids get blind indexes too (keyed HMACs under the operator's blind-index key, like phones),
-- kept here with the data key so that a destruction removes them with it.
ALTER TABLE subject_lookup DROP CONSTRAINT subject_lookup_field_check;
ALTER TABLE subject_lookup ADD CONSTRAINT subject_lookup_field_check
  CHECK (field IN ('phone', 'email', 'telegram', 'max'));
