import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { SURFACES } from '../composition/surfaces.ts';
import { renderHtmlError } from '../console/index.ts';
import { DOCS_PATH, OPENAPI_PATH, apiDocs } from './openapi.ts';
import type { OpenApiDocument } from './docs.views.ts';

interface RouteSeen {
  method: string;
  url: string;
}

/** A surface that records every route registered after it (register it first). */
function recorder(seen: RouteSeen[]) {
  return async (app: App): Promise<void> => {
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) seen.push({ method: String(m), url: r.url });
    });
  };
}

/** `/a/:id/b` as OpenAPI writes it: `/a/{id}/b`. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The /api/v1 routes the app registered that the document does not describe fully (listed, with a
 * summary, a tag and a security requirement), and the documented operations no route backs.
 */
function coverage(seen: RouteSeen[], doc: OpenApiDocument): { undocumented: string[]; phantom: string[] } {
  const routes = seen.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD');
  const undocumented = routes
    .filter((r) => {
      const op = doc.paths?.[openapiPath(r.url)]?.[r.method.toLowerCase()];
      return !op?.summary || !op.tags?.length || !op.security?.length;
    })
    .map((r) => `${r.method} ${r.url}`);
  const registered = new Set(routes.map((r) => `${r.method.toLowerCase()} ${openapiPath(r.url)}`));
  const phantom = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => !registered.has(`${m} ${path}`))
      .map((m) => `${m} ${path}`),
  );
  return { undocumented, phantom };
}

describe('OpenAPI document and reference page', () => {
  let env: TestEnv;
  let app: App;
  const seen: RouteSeen[] = [];
  let doc: OpenApiDocument & Record<string, unknown>;

  before(async () => {
    env = await createTestEnv();
    app = await env.app({ surfaces: [recorder(seen), ...SURFACES], renderHtmlError });
    const res = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json();
  });
  after(() => env.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    assert.equal(doc.openapi, '3.1.0');
  });

  it('describes every /api/v1 route the app registers, and nothing else', () => {
    const { undocumented, phantom } = coverage(seen, doc);
    assert.deepEqual(undocumented, []);
    assert.deepEqual(phantom, []);
    const paths = Object.keys(doc.paths ?? {});
    for (const p of [
      '/api/v1/inquiries',
      '/api/v1/inquiries/{id}',
      '/api/v1/inquiries/{id}/status',
      '/api/v1/subjects/{id}',
      '/api/v1/operators',
      '/api/v1/operators/{operatorId}/sites/{siteId}',
    ]) {
      assert.ok(paths.includes(p), p);
    }
    assert.ok(
      paths.every((p) => p.startsWith('/api/v1/')),
      'console, site and documentation routes stay out',
    );
  });

  it('fails the check for a route under /api/v1 that has no documentation', async () => {
    const extra: RouteSeen[] = [];
    const other = await env.app({
      surfaces: [
        recorder(extra),
        (a, ctx) => apiDocs(a, { publicUrl: ctx.config.publicUrl }),
        async (a) => {
          a.get('/api/v1/undocumented', async () => ({ ok: true }));
        },
      ],
    });
    const d = (await other.inject({ method: 'GET', url: OPENAPI_PATH })).json<OpenApiDocument>();
    assert.deepEqual(coverage(extra, d).undocumented, ['GET /api/v1/undocumented']);
  });

  it('says which credential and scope each operation takes, and answers errors in one documented shape', () => {
    const op = (path: string, method: string) => doc.paths![path]![method]!;
    assert.deepEqual(op('/api/v1/inquiries', 'get').security, [{ apiKey: ['inquiries:read'] }]);
    assert.deepEqual(op('/api/v1/inquiries', 'post').security, [{ apiKey: ['inquiries:write'] }]);
    assert.deepEqual(op('/api/v1/inquiries/{id}', 'get').security, [{ apiKey: ['inquiries:read'] }]);
    assert.deepEqual(op('/api/v1/inquiries/{id}/status', 'post').security, [
      { apiKey: ['inquiries:status'] },
    ]);
    assert.deepEqual(op('/api/v1/subjects/{id}', 'get').security, [{ apiKey: ['subjects:read'] }]);
    assert.deepEqual(op('/api/v1/operators/{operatorId}', 'patch').security, [
      { staffSession: [], csrfToken: [] },
    ]);
    const schemes = doc.components?.securitySchemes ?? {};
    assert.deepEqual(Object.keys(schemes).sort(), ['apiKey', 'csrfToken', 'staffSession']);
    assert.equal(schemes.apiKey?.scheme, 'bearer');

    const list = op('/api/v1/inquiries', 'get');
    const names = (list.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
    assert.deepEqual(names, [
      'query:assignee',
      'query:channel',
      'query:cursor',
      'query:formId',
      'query:limit',
      'query:overdue',
      'query:siteId',
      'query:sort',
      'query:status',
    ]);
    const status = op('/api/v1/inquiries/{id}/status', 'post');
    const body = status.requestBody?.content?.['application/json']?.schema as Record<string, unknown>;
    assert.equal(body.additionalProperties, false, 'strict bodies are documented as such');
    assert.deepEqual(body.required, ['status']);
    for (const code of ['400', '401', '403', '404', '429']) {
      const r = status.responses?.[code];
      assert.ok(r?.description, code);
      const s = r.content?.['application/json']?.schema as { properties?: Record<string, unknown> };
      assert.ok(s.properties?.error, `${code} has the error body`);
    }
    assert.equal(
      op('/api/v1/operators/{operatorId}/sites/{siteId}', 'delete').responses?.['204']?.content,
      undefined,
    );
    const view = op('/api/v1/inquiries/{id}', 'get').responses?.['200']?.content?.['application/json']
      ?.schema as {
      properties?: Record<string, unknown>;
    };
    for (const field of ['subject', 'fields', 'consents', 'events'])
      assert.ok(view.properties?.[field], field);
  });

  it('documents the outgoing webhooks with their headers and ids-only bodies', () => {
    const hooks = doc.webhooks ?? {};
    assert.deepEqual(Object.keys(hooks).sort(), ['inquiry.created', 'inquiry.status_changed']);
    const post = hooks['inquiry.status_changed']!.post!;
    assert.deepEqual(
      (post.parameters ?? []).map((p) => p.name),
      ['Soglasie-Signature', 'Soglasie-Event', 'Soglasie-Delivery'],
    );
    const schema = post.requestBody?.content?.['application/json']?.schema as {
      properties: { data: { properties: Record<string, unknown>; additionalProperties: boolean } };
    };
    assert.deepEqual(Object.keys(schema.properties.data.properties).sort(), [
      'at',
      'from',
      'inquiryId',
      'number',
      'operatorId',
      'reason',
      'status',
      'to',
    ]);
    assert.equal(schema.properties.data.additionalProperties, false);
  });

  it('renders a readable reference page from the document, under the app’s CSP, without scripts', async () => {
    const res = await app.inject({ method: 'GET', url: DOCS_PATH, headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const page = res.body;
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /\sstyle=/i);
    assert.match(page, /<html lang="ru">/);
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(page.includes(`<code>${path}</code>`), path);
        assert.ok(page.includes(op.summary!.replace(/’/g, '’')), `${method} ${path} summary`);
      }
    }
    assert.match(page, /Список обращений \/ List inquiries/);
    assert.match(page, /Soglasie-Signature/);
    assert.match(page, /inquiries:status/);
    const hrefs = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(hrefs.length, 2);
    for (const href of hrefs) {
      const css = await app.inject({ method: 'GET', url: href });
      assert.equal(css.statusCode, 200, href);
      assert.match(String(css.headers['content-type']), /^text\/css/);
    }
  });
});
