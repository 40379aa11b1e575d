import type { Tx } from '../../platform/db/database.ts';
import { PgCode, pgErrorCode } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';

export interface OperatorRow {
  id: string;
  slug: string;
  name: string;
  short_name: string | null;
  inn: string;
  ogrn: string;
  postal_address: string;
  responsible_person: string;
  requests_email: string;
  requests_postal_address: string;
  time_zone: string;
  /** Weekly working hours (WorkingHours); null: the default clinic hours. */
  working_hours: unknown;
  require_mfa: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface SiteRow {
  id: string;
  operator_id: string;
  domain: string;
  title: string;
  created_at: Date;
}

/** Columns a patch may change, keyed by the DTO's field names. */
export const PATCHABLE_COLUMNS = {
  name: 'name',
  shortName: 'short_name',
  inn: 'inn',
  ogrn: 'ogrn',
  postalAddress: 'postal_address',
  responsiblePerson: 'responsible_person',
  requestsEmail: 'requests_email',
  requestsPostalAddress: 'requests_postal_address',
  timeZone: 'time_zone',
  workingHours: 'working_hours',
  requireMfa: 'require_mfa',
} as const;
export type PatchableField = keyof typeof PATCHABLE_COLUMNS;

async function mapUnique<T>(p: Promise<T>, message: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (pgErrorCode(e) === PgCode.UniqueViolation) throw new AppError(ErrorCode.Conflict, message);
    throw e;
  }
}

/** Rows of `operators` and `sites` (no personal data of patients; no row-level security). */
export const operatorsRepository = {
  async insert(db: Tx, row: Omit<OperatorRow, 'updated_at' | 'working_hours'>): Promise<OperatorRow> {
    const { rows } = await mapUnique(
      db.query<OperatorRow>(
        `INSERT INTO operators (id, slug, name, short_name, inn, ogrn, postal_address, responsible_person,
           requests_email, requests_postal_address, time_zone, require_mfa, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         RETURNING *`,
        [
          row.id,
          row.slug,
          row.name,
          row.short_name,
          row.inn,
          row.ogrn,
          row.postal_address,
          row.responsible_person,
          row.requests_email,
          row.requests_postal_address,
          row.time_zone,
          row.require_mfa,
          row.created_at,
        ],
      ),
      'Оператор с таким коротким именем уже есть / An operator with this slug already exists',
    );
    return rows[0]!;
  },

  async findById(db: Tx, id: string): Promise<OperatorRow | undefined> {
    const { rows } = await db.query<OperatorRow>('SELECT * FROM operators WHERE id = $1', [id]);
    return rows[0];
  },

  async findBySlug(db: Tx, slug: string): Promise<OperatorRow | undefined> {
    const { rows } = await db.query<OperatorRow>('SELECT * FROM operators WHERE slug = $1', [slug]);
    return rows[0];
  },

  /** Every operator when `ids` is undefined, else those with these ids; ordered by name. */
  async list(db: Tx, ids?: readonly string[]): Promise<OperatorRow[]> {
    const { rows } = ids
      ? await db.query<OperatorRow>('SELECT * FROM operators WHERE id = ANY($1::uuid[]) ORDER BY name, id', [
          ids,
        ])
      : await db.query<OperatorRow>('SELECT * FROM operators ORDER BY name, id');
    return rows;
  },

  /** Locks the row for a change; undefined if there is no such operator. */
  async lockById(db: Tx, id: string): Promise<OperatorRow | undefined> {
    const { rows } = await db.query<OperatorRow>('SELECT * FROM operators WHERE id = $1 FOR UPDATE', [id]);
    return rows[0];
  },

  async update(
    db: Tx,
    id: string,
    changes: Partial<Record<PatchableField, unknown>>,
    at: Date,
  ): Promise<OperatorRow> {
    const sets: string[] = [];
    const params: unknown[] = [id, at];
    for (const [field, value] of Object.entries(changes)) {
      // Column names come from the fixed map above, never from input.
      const column = PATCHABLE_COLUMNS[field as PatchableField];
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    const { rows } = await db.query<OperatorRow>(
      `UPDATE operators SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1 RETURNING *`,
      params,
    );
    return rows[0]!;
  },

  async anyRequiresMfa(db: Tx, ids: readonly string[]): Promise<boolean> {
    const { rows } = await db.query<{ any: boolean }>(
      'SELECT coalesce(bool_or(require_mfa), false) AS any FROM operators WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return rows[0]?.any ?? false;
  },

  async insertSite(db: Tx, row: SiteRow): Promise<SiteRow> {
    const { rows } = await mapUnique(
      db.query<SiteRow>(
        `INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING *`,
        [row.id, row.operator_id, row.domain, row.title, row.created_at],
      ),
      'Этот домен уже подключён / This domain is already registered',
    );
    return rows[0]!;
  },

  async sitesOf(db: Tx, operatorIds: readonly string[]): Promise<SiteRow[]> {
    const { rows } = await db.query<SiteRow>(
      'SELECT * FROM sites WHERE operator_id = ANY($1::uuid[]) ORDER BY created_at, domain',
      [operatorIds],
    );
    return rows;
  },

  async deleteSite(db: Tx, operatorId: string, siteId: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM sites WHERE id = $1 AND operator_id = $2', [
      siteId,
      operatorId,
    ]);
    return (rowCount ?? 0) > 0;
  },

  /** The site whose domain equals one of `domains`, preferring the earlier ones. */
  async findSiteByDomains(db: Tx, domains: readonly string[]): Promise<SiteRow | undefined> {
    const { rows } = await db.query<SiteRow>(
      'SELECT * FROM sites WHERE domain = ANY($1::text[]) ORDER BY array_position($1::text[], domain) LIMIT 1',
      [domains],
    );
    return rows[0];
  },
};
