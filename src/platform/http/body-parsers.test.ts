import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { App } from './app.ts';
import { parseUrlEncoded } from './body-parsers.ts';

const BODY_LIMIT = 2048;

interface ErrorResponse {
  error: {
    code: string;
    message: string;
    fields?: { path: string; message: string }[];
    correlationId: string;
  };
}

describe('bad input through the real app', () => {
  let env: TestEnv;
  let app: App;

  before(async () => {
    env = await createTestEnv({ env: { SOGLASIE_BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
    const admin = await env.admin();
    await admin.query('CREATE TABLE test_writes (note text NOT NULL)');
    app = await env.app({
      surfaces: [
        async (a) => {
          // A test-only route: a strict body, and a write that must never happen for a bad request.
          a.post(
            '/test/json',
            {
              schema: { body: z.strictObject({ note: z.string().max(100), n: z.number().int().optional() }) },
            },
            async (req) => {
              await env.ctx.db.query('INSERT INTO test_writes (note) VALUES ($1)', [req.body.note]);
              return { ok: true };
            },
          );
          a.post('/test/form', async (req) => ({ fields: req.body as Record<string, unknown> }));
        },
      ],
    });
  });
  after(() => env.close());

  const post = (url: string, payload: string | Buffer, contentType = 'application/json') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  const expectError = (
    res: Awaited<ReturnType<typeof post>>,
    status: number,
    code: string,
  ): ErrorResponse['error'] => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json<ErrorResponse>();
    assert.equal(body.error.code, code);
    assert.equal(body.error.correlationId, res.headers['x-request-id']);
    assert.doesNotMatch(res.body, /at \S+ \(|node_modules|\.ts:\d+/, 'no stack trace');
    return body.error;
  };

  const writes = async (): Promise<number> =>
    Number((await env.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM test_writes')).rows[0]!.n);

  it('accepts a good JSON body (the baseline the refusals below differ from)', async () => {
    const res = await post('/test/json', JSON.stringify({ note: 'привет', n: 1 }));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ok: true });
    assert.equal(await writes(), 1);
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    for (const bad of ['{"note": "x"', '{note: 1}', "{'note': 'x'}", '[1,]', 'nul']) {
      expectError(await post('/test/json', bad), 400, 'invalid_json');
    }
  });

  it('refuses an empty JSON body', async () => {
    expectError(await post('/test/json', ''), 400, 'invalid_json');
    expectError(await post('/test/json', '   \n'), 400, 'invalid_json');
  });

  it('refuses a wrong or missing content type with 415', async () => {
    expectError(await post('/test/json', '{"note":"x"}', 'text/plain'), 415, 'unsupported_media_type');
    expectError(await post('/test/json', '<note>x</note>', 'application/xml'), 415, 'unsupported_media_type');
    expectError(
      await post('/test/json', '--b\r\n\r\nx\r\n--b--', 'multipart/form-data; boundary=b'),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses a body over the configured limit with 413', async () => {
    const big = JSON.stringify({ note: 'x'.repeat(BODY_LIMIT) });
    expectError(await post('/test/json', big), 413, 'payload_too_large');
    const justUnder = JSON.stringify({ note: 'x' }).padEnd(BODY_LIMIT, ' ');
    assert.equal(Buffer.byteLength(justUnder), BODY_LIMIT);
    assert.equal((await post('/test/json', justUnder)).statusCode, 200, 'a body of exactly the limit passes');
  });

  it('refuses invalid UTF-8 in JSON and in forms with 400', async () => {
    const json = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expectError(await post('/test/json', json), 400, 'bad_request');
    const overlong = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    expectError(await post('/test/json', overlong), 400, 'bad_request');
    const form = Buffer.concat([Buffer.from('note='), Buffer.from([0xff])]);
    expectError(await post('/test/form', form, 'application/x-www-form-urlencoded'), 400, 'bad_request');
    expectError(
      await post('/test/form', 'note=%FF%FE', 'application/x-www-form-urlencoded'),
      400,
      'bad_request',
    );
    expectError(
      await post('/test/form', 'note=%E0%A4%A', 'application/x-www-form-urlencoded'),
      400,
      'bad_request',
    );
  });

  it('refuses NUL characters, raw and escaped, in JSON and in forms', async () => {
    expectError(await post('/test/json', '{"note":"a\u0000b"}'), 400, 'bad_request');
    expectError(await post('/test/json', '{"note":"a\\u0000b"}'), 400, 'bad_request');
    expectError(
      await post('/test/form', 'note=a%00b', 'application/x-www-form-urlencoded'),
      400,
      'bad_request',
    );
    expectError(
      await post('/test/form', 'no%00te=x', 'application/x-www-form-urlencoded'),
      400,
      'bad_request',
    );
  });

  it('refuses unknown fields of a strict body with 400 validation_failed naming the field', async () => {
    const err = expectError(
      await post('/test/json', JSON.stringify({ note: 'x', isAdmin: true })),
      400,
      'validation_failed',
    );
    assert.deepEqual(err.fields, [{ path: 'isAdmin', message: 'Unknown field' }]);
    const two = expectError(
      await post('/test/json', JSON.stringify({ note: 'x', a: 1, b: 2 })),
      400,
      'validation_failed',
    );
    assert.deepEqual(
      two.fields?.map((f) => f.path),
      ['a', 'b'],
    );
    const wrongType = expectError(
      await post('/test/json', JSON.stringify({ note: 5 })),
      400,
      'validation_failed',
    );
    assert.ok(wrongType.fields?.some((f) => f.path === 'note'));
  });

  it('does not echo the input in error bodies', async () => {
    const res = await post(
      '/test/json',
      JSON.stringify({ note: 'Иванова ivanova@example.ru', extra: '+79123456789' }),
    );
    expectError(res, 400, 'validation_failed');
    assert.doesNotMatch(res.body, /ivanova|Иванова|79123456789/);
  });

  it('wrote nothing for any refused request', async () => {
    assert.equal(await writes(), 2, 'only the two good requests wrote');
  });

  it('parses a good form: repeated names become arrays, prototype keys are dropped', async () => {
    const res = await post(
      '/test/form',
      'a=1&b=x+y&a=2&__proto__=p&c=%D0%BF',
      'application/x-www-form-urlencoded',
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { fields: { a: ['1', '2'], b: 'x y', c: 'п' } });
    assert.deepEqual({ ...parseUrlEncoded('') }, {});
    assert.deepEqual({ ...parseUrlEncoded('flag&&x=') }, { flag: '', x: '' });
  });
});
