/**
 * Test support for the console and the staff hooks (imported by tests only): an app with the
 * console and a tiny JSON API that uses the exported hooks, a cookie-keeping browser over
 * `app.inject`, and quick set-up of operators and staff.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App } from '../../app.ts';
import { createTestEnv, type TestEnv, type TestEnvOptions } from '../../../test/harness.ts';
import { registerConsole, renderHtmlError } from '../index.ts';
import {
  principalOf,
  registerStaffAuth,
  requireCsrf,
  requireStaff,
  staffAuth,
  systemPrincipal,
  type Role,
} from '../../modules/staff/index.ts';

export interface ConsoleEnv {
  env: TestEnv;
  app: App;
  browser(opts?: { ip?: string }): Browser;
  createOperator(o?: { slug?: string; name?: string; requireMfa?: boolean }): Promise<string>;
  createStaff(o: {
    email: string;
    password?: string;
    displayName?: string;
    installationAdmin?: boolean;
    roles?: { operatorId: string; role: Role }[];
  }): Promise<string>;
  /** Audit entries matching every given column, oldest first. */
  audit(where?: { action?: string; objectId?: string; actorId?: string }): Promise<AuditRow[]>;
  close(): Promise<void>;
}

export interface AuditRow {
  action: string;
  actor_id: string | null;
  object_id: string | null;
  operator_id: string | null;
  result: string;
}

export const PASSWORD = 'верный-пароль-2026';

/** A legal card that passes the operators module's validation (valid INN and OGRN check digits). */
export const OPERATOR_CARD = {
  inn: '7707083893',
  ogrn: '1027700132195',
  postalAddress: '390000, г. Рязань, ул. Почтовая, д. 1',
  responsiblePerson: 'Петрова Мария Ивановна',
  requestsEmail: 'pd@clinic.example',
  requestsPostalAddress: '390000, г. Рязань, ул. Почтовая, д. 1',
} as const;

/** A JSON surface under /api/ that uses the hooks as another module would. */
async function testApi(app: App): Promise<void> {
  app.get('/api/test/whoami', { preHandler: requireStaff }, async (req) => {
    const p = principalOf(req);
    return { staffId: p.kind === 'staff' ? p.staffId : null };
  });
  app.post(
    '/api/test/echo',
    { preHandler: [staffAuth.requireStaff, staffAuth.requireCsrf] },
    async (req) => ({
      ok: true,
      staffId: req.staffSession?.staffId,
    }),
  );
  app.post('/console/test-form', { preValidation: requireCsrf }, async () => ({ ok: true }));
}

export async function createConsoleEnv(opts: TestEnvOptions = {}): Promise<ConsoleEnv> {
  const env = await createTestEnv({ logLevel: 'debug', ...opts });
  const app = await env.app({
    surfaces: [
      // Registering the hooks twice must be harmless: the console does it again.
      async (a, ctx) => registerStaffAuth(a, { staffAuth: ctx.services.staffAuth, config: ctx.config }),
      registerConsole,
      testApi,
    ],
    renderHtmlError,
  });
  let n = 0;
  return {
    env,
    app,
    browser: (o = {}) => new Browser(app, o.ip ?? '127.0.0.1'),
    createOperator: async (o = {}) => {
      const id = randomUUID();
      n += 1;
      const admin = await env.admin();
      await admin.query(
        `INSERT INTO operators (id, slug, name, inn, ogrn, postal_address, responsible_person, requests_email,
           requests_postal_address, require_mfa, created_at, updated_at)
         VALUES ($1, $2, $3, '7701234567', '1027700000001', 'Москва', 'Иванов И. И.', 'pd@clinic.example',
           'Москва', $4, now(), now())`,
        [id, o.slug ?? `clinic-${n}`, o.name ?? `Клиника №${n}`, o.requireMfa ?? false],
      );
      return id;
    },
    createStaff: async (o) => {
      const dto = await env.ctx.services.staff.create(systemPrincipal('test'), {
        email: o.email,
        displayName: o.displayName ?? 'Анна Петрова',
        password: o.password ?? PASSWORD,
        installationAdmin: o.installationAdmin ?? (o.roles ?? []).length === 0,
        roles: o.roles ?? [],
      });
      return dto.id;
    },
    audit: async (where = {}) => {
      const admin = await env.admin();
      const { rows } = await admin.query<AuditRow>(
        `SELECT action, actor_id, object_id, operator_id, result FROM audit_log
         WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR object_id = $2)
           AND ($3::text IS NULL OR actor_id = $3)
         ORDER BY id`,
        [where.action ?? null, where.objectId ?? null, where.actorId ?? null],
      );
      return rows;
    },
    close: () => env.close(),
  };
}

type InjectResponse = Awaited<ReturnType<App['inject']>>;

/** Keeps cookies between requests like a browser, and reads CSRF tokens out of pages. */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: App,
    readonly ip: string,
  ) {}

  private cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: InjectResponse): InjectResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const gone = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<InjectResponse> {
    const cookie = this.cookieHeader();
    return this.keep(
      await this.app.inject({
        method: 'GET',
        url,
        remoteAddress: this.ip,
        headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...headers },
      }),
    );
  }

  async post(
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<InjectResponse> {
    const cookie = this.cookieHeader();
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.ip,
        headers: {
          accept: 'text/html',
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        payload: new URLSearchParams(fields).toString(),
      }),
    );
  }

  /** Loads a page and returns the CSRF token of its first form. */
  async csrfFrom(url: string): Promise<string> {
    const res = await this.get(url);
    assert.equal(res.statusCode, 200, `GET ${url} gave ${res.statusCode}`);
    return csrfOf(res.body);
  }

  /** Posts a form with the CSRF token of the page it is on. */
  async submit(pageUrl: string, action: string, fields: Record<string, string>): Promise<InjectResponse> {
    const _csrf = await this.csrfFrom(pageUrl);
    return this.post(action, { _csrf, ...fields });
  }

  async login(email: string, password = PASSWORD): Promise<InjectResponse> {
    return this.submit('/console/login', '/console/login', { email, password });
  }

  /** A raw API call with this browser's cookies and a CSRF token in `x-csrf-token`. */
  async api(
    method: 'PATCH' | 'POST' | 'DELETE',
    url: string,
    o: { csrf: string; payload: string | Buffer; contentType?: string },
  ): Promise<InjectResponse> {
    const cookie = this.cookieHeader();
    return this.app.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        accept: 'application/json',
        'content-type': o.contentType ?? 'application/json',
        'x-csrf-token': o.csrf,
        ...(cookie ? { cookie } : {}),
      },
      payload: o.payload,
    });
  }

  async json(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
  ): Promise<InjectResponse> {
    const cookie = this.cookieHeader();
    return this.app.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: { accept: 'application/json', ...(cookie ? { cookie } : {}), ...headers },
      ...(method === 'POST' ? { payload: {} } : {}),
    });
  }
}

export function csrfOf(body: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(m, 'the page has no CSRF field');
  return m[1]!;
}
