/**
 * The second baseline of the intake bench: the callback form's durable work written plainly, with
 * none of the app around it (no form token, anti-spam, policy or operator lookups, access checks,
 * services or logging). Per request, as the intake does for a new patient: the body validated with
 * zod, the phone normalised and its blind index computed, a fresh data key wrapped under a master
 * key and stored with the lookup in the keyring (the intake's find-or-insert statement, one round
 * trip), then one data transaction scoped to the operator: the blind-index lock, the subject (name
 * and phone sealed) with its audit entry, and the inquiry (fields sealed) with its idempotency key,
 * its consent record and its audit entry in one statement. Both pools connect as the app's role,
 * so row-level security and the audit chain's commit trigger cost what they cost the app.
 *
 * The bench's form posts carry no e-mail address, so neither this nor the intake queues an outbox
 * row. The intake's differences from this are its overhead: the ratio of the two shows it.
 *
 *   BENCH_DATABASE_URL=postgresql://... BENCH_OPERATOR=lux-demo PORT=... tsx bench/plain-intake-server.ts
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { seal, sealString } from '../src/platform/crypto/aead.ts';
import { blindIndex, normalizePhone } from '../src/platform/crypto/blind-index.ts';
import { APP_ROLE, prepared, siblingDatabaseUrl } from '../src/platform/db/database.ts';
import { serveBaseline, type CallbackBody } from './baseline-server.ts';

const url = process.env.BENCH_DATABASE_URL!;
const slug = process.env.BENCH_OPERATOR ?? 'lux-demo';
const asApp = { options: `-c role=${APP_ROLE}`, max: 16 };
const data = new pg.Pool({ connectionString: url, ...asApp });
const keyring = new pg.Pool({ connectionString: siblingDatabaseUrl(url, '_keyring'), ...asApp });

// What the intake reads per request (operator, site, policy) is read once here.
const setup = new pg.Client({ connectionString: url });
await setup.connect();
const { rows: found } = await setup.query<{
  operator_id: string;
  site_id: string;
  policy_version: number;
  document_id: string;
  document_version: number;
  document_sha256: string;
}>(
  `SELECT o.id AS operator_id, s.id AS site_id, p.version AS policy_version, d.id AS document_id,
          d.version AS document_version, d.sha256 AS document_sha256
   FROM operators o
   JOIN sites s ON s.operator_id = o.id
   JOIN policy_publications p ON p.operator_id = o.id
   JOIN policy_publication_documents pd ON pd.publication_id = p.id AND pd.kind = 'consent_processing' AND pd.lang = 'ru'
   JOIN published_documents d ON d.id = pd.document_id
   WHERE o.slug = $1 ORDER BY p.version DESC, s.created_at LIMIT 1`,
  [slug],
);
await setup.end();
if (!found[0]) throw new Error(`no operator ${slug} with a published policy and a site`);
const op = found[0];

// Keys of the same kind and size as the app's (the master key, the operator's blind-index key,
// the request-hash key); their values do not matter to the cost.
const masterKey = { id: 'bench-plain', key: randomBytes(32) };
const bidxKey = randomBytes(32);
const requestKey = randomBytes(32);

/** The form intake's durable work for one new patient (see the top of this file). */
async function intake(body: CallbackBody, ip: string, userAgent: string | null): Promise<void> {
  const { name } = body;
  const phone = normalizePhone(body.phone);
  const bidx = blindIndex(bidxKey, 'phone', phone.e164);
  const subjectId = randomUUID();
  const inquiryId = randomUUID();
  const consentId = randomUUID();
  const at = new Date();
  const client = await data.connect();
  try {
    await client.query(`BEGIN; SET LOCAL soglasie.scope = '${op.operator_id}'`);
    await client.query(
      prepared('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `subject-bidx:${op.operator_id}:${bidx.toString('hex')}`,
      ]),
    );
    const key = randomBytes(32);
    await keyring.query(
      prepared(
        `WITH found AS (
           SELECT l.subject_id FROM subject_lookup l JOIN data_keys k ON k.subject_id = l.subject_id
           WHERE l.operator_id = $2 AND l.field = 'phone' AND l.bidx = $6),
         k AS (
           INSERT INTO data_keys (subject_id, operator_id, wrapped, master_key_id, created_at)
           SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM found)
           RETURNING subject_id, operator_id)
         INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
         SELECT k.operator_id, 'phone', $6, k.subject_id FROM k`,
        [
          subjectId,
          op.operator_id,
          seal(masterKey.key, key, `soglasie/data-key/${subjectId}`),
          masterKey.id,
          at,
          bidx,
        ],
      ),
    );
    await client.query(
      prepared(
        `WITH s AS (
           INSERT INTO subjects (id, operator_id, name_enc, phone_enc, email_enc, created_at, updated_at)
           VALUES ($1, $2, $3, $4, NULL, $5, $5) RETURNING id)
         SELECT audit_stage($6::timestamptz, $7::text, $8::text, $9::text, $10::text, $11::text, $12::uuid,
           $13::uuid, $14::text, $15::text) FROM s`,
        [
          subjectId,
          op.operator_id,
          sealString(key, name, `subject:${subjectId}:name`),
          sealString(key, phone.stored, `subject:${subjectId}:phone`),
          at,
          at,
          'job',
          'intake',
          'subject.create',
          'subject',
          subjectId,
          subjectId,
          op.operator_id,
          null,
          'success',
        ],
      ),
    );
    const fields = sealString(
      key,
      JSON.stringify({ name, phone: body.phone }),
      `inquiry:${inquiryId}:fields`,
    );
    const requestHash = createHmac('sha256', requestKey).update(JSON.stringify(body)).digest();
    await client.query(
      prepared(
        `WITH i AS (
           INSERT INTO inquiries (id, operator_id, site_id, subject_id, form_id, channel, page, fields_enc,
             possible_health_data, on_behalf, created_at, first_contact_due_at)
           VALUES ($1, $2, $3, $4, 'callback', 'web_form', '/', $5, false, false, $6, $7) RETURNING number),
         k AS (
           INSERT INTO intake_idempotency (operator_id, key, inquiry_id, created_at, request_hash)
           VALUES ($2, $8, $1, $6, $9)),
         c AS (
           INSERT INTO consent_records (id, operator_id, subject_id, inquiry_id, kind, document_id,
             document_version, document_sha256, policy_version, given_at, channel, form_id, ip, user_agent)
           VALUES ($10, $2, $4, $1, 'processing', $11, $12, $13, $14, $6, 'web_form', 'callback', $15, $16))
         SELECT i.number, audit_stage($6::timestamptz, 'subject', $4::text, 'inquiry.create', 'inquiry', $1::text,
           $4::uuid, $2::uuid, 'web_form', 'success') FROM i`,
        [
          inquiryId,
          op.operator_id,
          op.site_id,
          subjectId,
          fields,
          at,
          new Date(at.getTime() + 3_600_000),
          `form:${randomUUID()}`,
          requestHash,
          consentId,
          op.document_id,
          op.document_version,
          op.document_sha256,
          op.policy_version,
          ip,
          userAgent,
        ],
      ),
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
}

await serveBaseline(
  (body, req) => intake(body, req.ip, req.headers['user-agent'] ?? null),
  () => Promise.all([data.end(), keyring.end()]),
);
