-- Blind indexes of data subjects (keyed HMACs of the normalised phone and e-mail), moved here from
-- the data database's subjects.phone_bidx / email_bidx. In the data database they outlived a
-- destruction in every old backup, and with the operator's blind-index key (which lives on) anyone
-- holding such a backup could confirm that a guessed phone was a patient's. Here they are deleted
-- in the same transaction as the subject's data key, so they share the key's fate: gone from the
-- live keyring at once, and from everything once the keyring's short-rotation backups from before
-- the destruction have rotated out.
--
-- The foreign key makes the invariant structural: no lookup row without its subject's data key.
-- Several subjects may share an index (subjects created without de-duplication, or a key left by an
-- intake whose data transaction rolled back), hence subject_id in the primary key.
CREATE TABLE subject_lookup (
  operator_id uuid NOT NULL,
  field text NOT NULL CHECK (field IN ('phone', 'email')),
  bidx bytea NOT NULL CHECK (length(bidx) = 32),
  subject_id uuid NOT NULL REFERENCES data_keys (subject_id) ON DELETE CASCADE,
  PRIMARY KEY (operator_id, field, bidx, subject_id)
);
CREATE INDEX subject_lookup_subject ON subject_lookup (subject_id);
