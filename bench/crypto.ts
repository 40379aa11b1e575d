/**
 * Encrypt + blind-index cost per subject: a data key created and wrapped by the master key, three
 * fields sealed with AES-256-GCM, two keyed HMAC blind indexes, in-process (with and without the
 * phone and e-mail normalisation), and the same through SubjectsService.create on the embedded
 * PostgreSQL (keyring row, subject row, audit entry), sequential and 8 at a time; and the keyed hash
 * of an intake request that is kept with its idempotency key.
 *
 *   npx tsx bench/crypto.ts [n=2000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  encryptSubjectFields,
  prepareSubject,
  subjectBlindIndexes,
  type SubjectInput,
} from '../src/modules/subjects/index.ts';
import { requestHashOf } from '../src/modules/inquiries/index.ts';
import { systemPrincipal } from '../src/modules/staff/index.ts';
import { seal, sealString } from '../src/platform/crypto/aead.ts';
import { blindIndex } from '../src/platform/crypto/blind-index.ts';
import { benchRuntime, printTable, round, writeResult } from './lib.ts';

const N = Number(process.argv[2] ?? 2000);

function input(i: number): SubjectInput {
  const digits = String(1_000_000 + i).slice(-7);
  return {
    name: `Иванова Анна Сергеевна ${i}`,
    phone: `8 (912) ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`,
    email: `Patient.${i}@Example.RU`,
  };
}

interface Measure {
  case: string;
  n: number;
  usPerSubject: number;
  subjectsPerSecond: number;
}

function measure(name: string, n: number, ms: number): Measure {
  return {
    case: name,
    n,
    usPerSubject: round((ms * 1000) / n, 1),
    subjectsPerSecond: round((n * 1000) / ms, 0),
  };
}

function timeSync(n: number, fn: (i: number) => void): number {
  // Warm-up with a full pass: the JIT and the allocator settle before the timed pass.
  for (let i = 0; i < n; i++) fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return performance.now() - t;
}

const masterKey = randomBytes(32);
const bidxKey = randomBytes(32);
const results: Measure[] = [];

// 1. The whole per-subject path in-process: normalise, new data key + wrap, 3 seals, 2 HMACs.
results.push(
  measure(
    'in-process: normalise + key + wrap + 3 seals + 2 HMACs',
    N,
    timeSync(N, (i) => {
      const id = randomUUID();
      const dataKey = randomBytes(32);
      seal(masterKey, dataKey, `soglasie/data-key/${id}`);
      const p = prepareSubject(input(i));
      encryptSubjectFields(dataKey, id, p);
      subjectBlindIndexes(bidxKey, p);
    }),
  ),
);

// 2. Crypto only, on already-normalised values.
const normalised = Array.from({ length: N }, (_, i) => prepareSubject(input(i)));
results.push(
  measure(
    'in-process: key + wrap + 3 seals + 2 HMACs (no normalisation)',
    N,
    timeSync(N, (i) => {
      const id = randomUUID();
      const dataKey = randomBytes(32);
      seal(masterKey, dataKey, `soglasie/data-key/${id}`);
      const p = normalised[i]!;
      sealString(dataKey, p.name!, `subject:${id}:name`);
      sealString(dataKey, p.phone!.stored, `subject:${id}:phone`);
      sealString(dataKey, p.email!, `subject:${id}:email`);
      blindIndex(bidxKey, 'phone', p.phone!.e164);
      blindIndex(bidxKey, 'email', p.email!);
    }),
  ),
);

// 3. Normalisation alone (libphonenumber and e-mail), for scale.
results.push(
  measure(
    'in-process: normalisation only',
    N,
    timeSync(N, (i) => {
      prepareSubject(input(i));
    }),
  ),
);

// 4. The keyed hash of an intake request kept with its idempotency key (one per inquiry).
const hashKey = randomBytes(32);
results.push(
  measure(
    'in-process: intake request hash (HMAC of the canonical request)',
    N,
    timeSync(N, (i) => {
      const p = input(i);
      requestHashOf(hashKey, {
        operatorId: randomUUID(),
        siteId: randomUUID(),
        formId: 'callback',
        channel: 'web_form',
        page: '/contacts',
        ip: '192.0.2.1',
        userAgent: 'bench',
        idempotencyKey: `form:bench-${i}`,
        fields: { name: p.name!, phone: p.phone!, message: 'Хочу записаться на МРТ колена, лучше вечером' },
        consents: { processing: true, marketing: false },
      });
    }),
  ),
);

// 5. Through the service on the embedded PostgreSQL.
const bench = await benchRuntime('crypto');
try {
  const { ctx, urls } = bench.runtime;
  const admin = new pg.Client({ connectionString: urls.data });
  await admin.connect();
  const operatorId = randomUUID();
  await admin.query(
    `INSERT INTO operators (id, slug, name, inn, ogrn, postal_address, responsible_person, requests_email,
       requests_postal_address, created_at, updated_at)
     VALUES ($1, 'bench', 'Bench clinic', '7701234567', '1027700000000', 'Moscow', 'Officer',
       'dpo@example.ru', 'Moscow', now(), now())`,
    [operatorId],
  );
  await admin.end();
  const principal = systemPrincipal('bench');
  const subjects = ctx.services.subjects;
  for (let i = 0; i < 100; i++) await subjects.create(principal, operatorId, input(N * 10 + i)); // warm-up

  let t = performance.now();
  for (let i = 0; i < N; i++) await subjects.create(principal, operatorId, input(i));
  results.push(
    measure('SubjectsService.create, one at a time (embedded PostgreSQL)', N, performance.now() - t),
  );

  const concurrency = 8;
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const i = next++;
        await subjects.create(principal, operatorId, input(N + i));
      }
    }),
  );
  results.push(measure(`SubjectsService.create, ${concurrency} at a time`, N, performance.now() - t));
} finally {
  await bench.close();
}

printTable(
  'encrypt + blind-index cost per subject',
  results.map((r) => ({ ...r })),
);
await writeResult('crypto', { n: N, results });
