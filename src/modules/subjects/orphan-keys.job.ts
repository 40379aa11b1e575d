/**
 * Deletes orphaned data keys: keys (with their blind-index lookups) whose subject never reached the
 * data database. Intake writes the subject's key in the keyring first and the subject row in the
 * data transaction; when that transaction rolls back, the key and the HMACs of a phone and e-mail
 * stay behind with nothing that would ever destroy them. A key is an orphan when, an hour after it
 * was made (far longer than any intake transaction), the data database has neither a row nor a
 * destruction record for its subject.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { subjectsRepository as repo } from './subjects.repository.ts';

export const PURGE_ORPHAN_KEYS = 'keyring.purge-orphans';

/** How old a key must be before its missing subject counts as never created. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const PAGE = 500;

export function purgeOrphanKeysJob(o: {
  keyring: Pick<KeyringService, 'dataKeyIdsCreatedBefore' | 'destroyDataKey'>;
}): JobHandler {
  return defineJob({
    kind: PURGE_ORPHAN_KEYS,
    payload: z.object({}),
    run: async (_payload, job) => {
      const cutoff = new Date(job.now.getTime() - ORPHAN_GRACE_MS);
      let after = NIL_UUID;
      let deleted = 0;
      for (;;) {
        const ids = await o.keyring.dataKeyIdsCreatedBefore(cutoff, after, PAGE);
        if (ids.length === 0) break;
        const known = await repo.findKnownIds(job.tx, ids);
        for (const id of ids) {
          if (!known.has(id) && (await o.keyring.destroyDataKey(id))) deleted += 1;
        }
        after = ids[ids.length - 1]!;
        if (ids.length < PAGE) break;
      }
      if (deleted > 0) job.log.info({ deleted }, 'deleted orphaned data keys');
    },
  });
}
