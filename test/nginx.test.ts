/**
 * The production set-up the README shows, for real: Debian's nginx with `docs/nginx-soglasie.conf`
 * (the README's snippet) in front of the app, run with SOGLASIE_TRUST_PROXY=127.0.0.1. Only the
 * lines that need a certificate or a fixed port are changed for the test, each checked to exist,
 * so the test breaks if the snippet changes shape. The client connects from 127.0.0.2 (another
 * loopback address), so the address nginx reports is not the trusted proxy's own.
 *
 * nginx must be installed: `apt-get install nginx-light` (.ci/run does it).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formOf, formTokenOf, createSiteEnv, type SiteEnv } from '../src/web/web.testing.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CLIENT = '127.0.0.2';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Replaces exactly one occurrence, so a change to the README's snippet fails loudly here. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(from) ?? []).length;
  assert.equal(count, 1, `docs/nginx-soglasie.conf should contain ${String(from)} once`);
  return text.replace(from, to);
}

function request(
  port: number,
  o: { method: string; path: string; host: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: CLIENT,
        method: o.method,
        path: o.path,
        headers: { host: o.host, ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('behind a real nginx with the README configuration', () => {
  let s: SiteEnv;
  let dir: string;
  let nginx: ChildProcess | undefined;
  let port: number;
  let host: string;
  let n = 0;

  before(async () => {
    assert.ok(NGINX, 'nginx is not installed: apt-get install nginx-light (.ci/run does it)');
    s = await createSiteEnv({ env: { SOGLASIE_TRUST_PROXY: '127.0.0.1', SOGLASIE_INTAKE_RATE_LIMIT: '3' } });
    await s.publish();
    const appUrl = new URL(await s.app.listen({ port: 0, host: '127.0.0.1' }));
    port = await freePort();
    host = `localhost:${port}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'soglasie-nginx-'));
    let server = await readFile(path.join(ROOT, 'docs/nginx-soglasie.conf'), 'utf8');
    server = replaceOnce(server, 'listen 443 ssl http2;', `listen 127.0.0.1:${port};`);
    server = replaceOnce(server, /^\s*ssl_certificate .*$/m, '');
    server = replaceOnce(server, /^\s*ssl_certificate_key .*$/m, '');
    server = replaceOnce(server, 'server_name clinic.example.ru;', 'server_name localhost;');
    server = replaceOnce(
      server,
      'proxy_pass http://127.0.0.1:3000;',
      `proxy_pass http://127.0.0.1:${appUrl.port};`,
    );
    const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
    await writeFile(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'master_process off;',
        `pid ${path.join(dir, 'nginx.pid')};`,
        `error_log ${path.join(dir, 'error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
        server,
        '}',
      ].join('\n'),
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const sock = net.connect(port, '127.0.0.1', () => {
          sock.end();
          resolve(true);
        });
        sock.on('error', () => resolve(false));
      });
      if (up) break;
      if (nginx.exitCode !== null) {
        assert.fail(`nginx exited: ${await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const submit = async (xff?: string) => {
    const page = await request(port, { method: 'GET', path: '/callback', host });
    assert.equal(page.status, 200, 'the clinic site through nginx');
    const token = formTokenOf(page.body, '/forms/callback');
    s.env.clock.advance(10_000);
    n += 1;
    return request(port, {
      method: 'POST',
      path: '/forms/callback',
      host,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(xff ? { 'x-forwarded-for': xff } : {}),
      },
      body: new URLSearchParams({
        _form_token: token,
        name: `Пациентка ${n}`,
        phone: `+7912${String(4_000_000 + n).slice(-7)}`,
        consent_processing: 'yes',
      }).toString(),
    });
  };

  it('runs the very configuration the README shows', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const conf = await readFile(path.join(ROOT, 'docs/nginx-soglasie.conf'), 'utf8');
    assert.ok(
      readme.includes('```nginx\n' + conf + '```'),
      'README.md shows docs/nginx-soglasie.conf verbatim',
    );
  });

  it('stores the address nginx saw as the consent evidence, not one the client wrote', async () => {
    const r = await submit('6.6.6.6');
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/thanks?form=callback');
    const admin = await s.env.admin();
    const { rows } = await admin.query<{ ip: string }>('SELECT DISTINCT ip FROM consent_records');
    assert.deepEqual(rows, [{ ip: CLIENT }]);
  });

  it('a client rotating X-Forwarded-For is still one address to the rate limit, and gets its form back', async () => {
    const statuses = [];
    let last: Awaited<ReturnType<typeof submit>> | undefined;
    for (let k = 0; k < 3; k++) {
      last = await submit(`192.0.2.${k}, 10.0.0.${k}`);
      statuses.push(last.status);
    }
    // One was sent by the previous test from the same address: the limit of 3 is reached here.
    assert.deepEqual(statuses, [303, 303, 429]);
    assert.ok(last);
    assert.match(formOf(last.body, '/forms/callback'), /value="Пациентка \d+"/);
    assert.ok(Number(last.headers['retry-after']) > 0);
  });
});
