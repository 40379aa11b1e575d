import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import type { App } from './app.ts';
import { AppError, ErrorCode } from '../errors.ts';

describe('the error handler', () => {
  let env: TestEnv;
  let app: App;
  const pd = 'Иванова Анна, ivanova@example.ru, +79123456789';

  before(async () => {
    env = await createTestEnv();
    app = await env.app({
      renderHtmlError: (_req, status, body) => `<!doctype html><h1>${status}</h1><p>${body.code}</p>`,
      surfaces: [
        async (a) => {
          a.get('/test/crash', async () => {
            throw new TypeError(`cannot read ${pd}`);
          });
          a.get('/test/db-crash', async () => {
            // A driver error quotes the input in its message.
            await env.ctx.db.query('SELECT $1::uuid', [pd]);
            return { unreachable: true };
          });
          a.get('/test/missing', async () => {
            throw new AppError(ErrorCode.NotFound, 'Inquiry not found');
          });
          a.get('/test/slow-down', async () => {
            throw new AppError(ErrorCode.TooManyRequests, 'Too many attempts', { retryAfterSeconds: 42 });
          });
          a.get('/api/v1/test/crash', async () => {
            throw new Error(pd);
          });
        },
      ],
    });
  });
  after(() => env.close());

  it('answers an unexpected error with 500 and only a code, a message and the correlation id', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/crash' });
    assert.equal(res.statusCode, 500);
    const requestId = res.headers['x-request-id'];
    assert.equal(typeof requestId, 'string');
    assert.deepEqual(res.json(), {
      error: { code: 'internal', message: 'Internal error', correlationId: requestId },
    });
    assert.doesNotMatch(res.body, /TypeError|cannot read|Иванова|stack|\.ts/);
  });

  it('logs the 500 with its correlation id and stack, but not the error message', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/db-crash' });
    assert.equal(res.statusCode, 500);
    assert.doesNotMatch(res.body, /ivanova|Иванова|79123456789|uuid/);
    const line = env.logs.find(
      (l) => l.includes(String(res.headers['x-request-id'])) && l.includes('request failed'),
    );
    assert.ok(line, 'the failure is logged under its correlation id');
    const entry = JSON.parse(line) as { level: number; err: { type: string; stack?: string } };
    assert.equal(entry.level, 50);
    assert.match(entry.err.stack ?? '', /\bat /, 'the stack is kept for the log reader');
    assertNoPersonalDataInLogs(env.logs, ['ivanova', 'Иванова', '79123456789']);
  });

  it('maps domain errors by code, with their own message, and sets Retry-After', async () => {
    const missing = await app.inject({ method: 'GET', url: '/test/missing' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), {
      error: {
        code: 'not_found',
        message: 'Inquiry not found',
        correlationId: missing.headers['x-request-id'],
      },
    });
    const slow = await app.inject({ method: 'GET', url: '/test/slow-down' });
    assert.equal(slow.statusCode, 429);
    assert.equal(slow.headers['retry-after'], '42');
    assert.equal(slow.json<{ error: { code: string } }>().error.code, 'too_many_requests');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/page?email=ivanova@example.ru' });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), {
      error: { code: 'not_found', message: 'Not found', correlationId: res.headers['x-request-id'] },
    });
    const post = await app.inject({ method: 'POST', url: '/no/such/api', payload: {} });
    assert.equal(post.statusCode, 404);
  });

  it('renders HTML for browsers when a renderer is registered, never for the API', async () => {
    const page = await app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.body, '<!doctype html><h1>404</h1><p>not_found</p>');
    const crash = await app.inject({ method: 'GET', url: '/test/crash', headers: { accept: 'text/html' } });
    assert.equal(crash.statusCode, 500);
    assert.doesNotMatch(crash.body, /Иванова|TypeError/);
    const api = await app.inject({
      method: 'GET',
      url: '/api/v1/test/crash',
      headers: { accept: 'text/html' },
    });
    assert.equal(api.statusCode, 500);
    assert.match(String(api.headers['content-type']), /^application\/json/);
    assert.deepEqual(Object.keys(api.json<{ error: object }>().error).sort(), [
      'code',
      'correlationId',
      'message',
    ]);
  });

  it('gives every response a fresh correlation id', async () => {
    const a = await app.inject({ method: 'GET', url: '/healthz' });
    const b = await app.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(a.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
  });
});
