-- Subjects' blind indexes now live in the keyring database (keyring migration
-- 0002_subject_lookup), deleted together with the subject's data key. Kept here they survived a
-- destruction in every backup of the data and, with the operator's blind-index key, confirmed a
-- guessed phone or e-mail as a (destroyed) patient's.
--
-- The values are dropped, not copied: this database cannot reach the keyring, and no installation
-- held subjects before this migration. One that did would have to write its subjects' indexes into
-- the keyring first, or those subjects would no longer be found by phone or e-mail.
DROP INDEX IF EXISTS subjects_phone_bidx;
DROP INDEX IF EXISTS subjects_email_bidx;
ALTER TABLE subjects DROP COLUMN phone_bidx, DROP COLUMN email_bidx;
