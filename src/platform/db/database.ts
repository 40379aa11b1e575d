/**
 * Access to PostgreSQL through node-postgres. The app's connections run as the role `soglasie_app`,
 * under which every table holding personal data has row-level security: a query of such a table
 * only sees (and may only write) rows of the operators named by the scope of its transaction.
 * Outside a scope those tables raise "unscoped access" as soon as a row is touched, so an
 * unscoped query cannot leak another operator's data; it fails loudly instead.
 *
 * @example
 *   await db.scoped([operatorId], (tx) => tx.query('SELECT id FROM subjects WHERE id = $1', [id]));
 *   await db.system((tx) => tx.query('SELECT count(*) FROM subjects')); // jobs that span operators
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { AppError, ErrorCode } from '../errors.ts';
import { isUuid } from '../ids.ts';

export const APP_ROLE = 'soglasie_app';

// Timestamps come back as Date, bigint counts as strings we convert where needed; keep int8 as
// string to avoid silent precision loss.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface Tx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Prepared): Promise<pg.QueryResult<R>>;
}

/** A statement PostgreSQL parses and plans once per connection (see `prepared`). */
export interface Prepared {
  name: string;
  text: string;
  values: unknown[];
}

const preparedNames = new Map<string, string>();

/**
 * The statement as a named prepared statement, for the statements every intake runs: each
 * connection parses and plans it once instead of on every execution (the intake's CTEs cost more
 * to plan than to run). The name is derived from the text, so one text is one statement; the
 * texts must be few and fixed (never with values spliced in). Row-level security still applies:
 * its conditions read the transaction's scope when the statement runs, not when it was planned.
 */
export function prepared(text: string, values: readonly unknown[]): Prepared {
  let name = preparedNames.get(text);
  if (!name) {
    name = `s_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return { name, text, values: [...values] };
}

export interface PoolOptions {
  url: string;
  max: number;
  /** Run as `soglasie_app` (the default). Migrations and tests' admin connections turn it off. */
  asAppRole?: boolean;
  applicationName?: string;
}

export function createPool(o: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    application_name: o.applicationName ?? 'soglasie',
    options: o.asAppRole === false ? undefined : `-c role=${APP_ROLE}`,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

type Scope = { kind: 'none' } | { kind: 'operators'; ids: readonly string[] } | { kind: 'all' };

export class Database {
  constructor(readonly pool: pg.Pool) {}

  /** One statement outside any transaction, for tables without personal data. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Prepared): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string | Prepared,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    return typeof sql === 'string' ? this.pool.query<R>(sql, params as unknown[]) : this.pool.query<R>(sql);
  }

  /** A transaction with no tenant scope: tables with personal data refuse it. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run({ kind: 'none' }, fn);
  }

  /** A transaction that sees and writes personal data of these operators only. */
  scoped<T>(operatorIds: readonly string[], fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (operatorIds.length === 0) throw new AppError(ErrorCode.Forbidden, 'No operator in scope');
    for (const id of operatorIds) {
      if (!isUuid(id)) throw new AppError(ErrorCode.BadRequest, 'Malformed operator id');
    }
    return this.run({ kind: 'operators', ids: operatorIds }, fn);
  }

  /**
   * A transaction over every operator's data. Only for jobs and tools that must span the whole
   * installation (retention sweeps, key rotation, verification); never for a person's request.
   */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run({ kind: 'all' }, fn);
  }

  private async run<T>(scope: Scope, fn: (tx: Tx) => Promise<T>): Promise<T> {
    let broken = false;
    // pg-pool drops its own error listener while a client is checked out; a connection that dies
    // between two queries of this transaction (a server restart) must fail the transaction, not
    // crash the process with an unhandled 'error' event.
    const onError = (): void => {
      broken = true;
    };
    const client = await this.checkOut(onError);
    try {
      // One round trip opens the transaction and sets its scope. The ids were checked as UUIDs,
      // so inlining them is safe.
      const scopeValue = scope.kind === 'all' ? '*' : scope.kind === 'operators' ? scope.ids.join(',') : '';
      await client.query(scopeValue === '' ? 'BEGIN' : `BEGIN; SET LOCAL soglasie.scope = '${scopeValue}'`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * A client with `onError` attached before anything else can happen to it. With `await
   * pool.connect()` the listener would come a microtask late: a new connection's last startup
   * message and the server's "terminating connection" (its postmaster just died) can arrive in one
   * read, and pg would emit that error, with no listener, in between: an uncaught exception.
   */
  private checkOut(onError: () => void): Promise<pg.PoolClient> {
    return new Promise((resolve, reject) => {
      this.pool.connect((err, client) => {
        if (err || !client) return reject(err ?? new Error('no client'));
        client.on('error', onError);
        resolve(client);
      });
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** PostgreSQL error codes we map to domain errors; compare on code, never on message text. */
export const PgCode = {
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
  CheckViolation: '23514',
  InvalidTextRepresentation: '22P02',
  CharacterNotInRepertoire: '22021',
  UntranslatableCharacter: '22P05',
  RaiseException: 'P0001',
} as const;

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether `e` (or an error it was caused by) says the connection to PostgreSQL was lost or could
 * not be made: a refused or reset socket, a missing Unix socket, class 08 (connection exception),
 * or the server shutting down or starting up (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now). node-postgres raises some losses as plain errors without a code; the error
 * handler then asks `DatabaseHealth.probe()` instead of reading their text.
 */
export function isConnectionLost(e: unknown): boolean {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    if (cur instanceof pg.DatabaseError) {
      const code = cur.code ?? '';
      if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
      continue;
    }
    const errno = cur as NodeJS.ErrnoException;
    if (errno.code && CONNECTION_ERRNOS.has(errno.code)) return true;
    if (errno.code === 'ENOENT' && errno.syscall === 'connect') return true;
  }
  return false;
}

export function pgErrorCode(e: unknown): string | undefined {
  if (e instanceof pg.DatabaseError) return e.code;
  return undefined;
}

/** Whether `e` is a unique or exclusion violation of the named constraint. */
export function isConstraintViolation(e: unknown, constraint: string): boolean {
  return e instanceof pg.DatabaseError && e.code === PgCode.UniqueViolation && e.constraint === constraint;
}

/** Derives the keyring database's URL from the data database's: same server, `<name>_keyring`. */
export function siblingDatabaseUrl(url: string, suffix: string): string {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '/' + encodeURIComponent(`${name}${suffix}`);
  return u.toString();
}

/** Creates database `name` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined); // the query in flight fails instead (see migrate)
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    }
  } catch (e) {
    // Two instances starting at once may race to create it.
    if (pgErrorCode(e) !== PgCode.UniqueViolation && pgErrorCode(e) !== '42P04') throw e;
  } finally {
    await client.end();
  }
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(name);
  return u.toString();
}
