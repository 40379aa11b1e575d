import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadMasterKeys } from '../platform/crypto/master-key.ts';
import { ConfigError, loadConfig } from './config.ts';

const KEY = randomBytes(32).toString('base64');

/** The ConfigError message of loading this environment. */
function problemOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration', () => {
  it('has working defaults for a local start', () => {
    const c = loadConfig({});
    assert.equal(c.mode, 'local');
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.keyringUrl, undefined);
    assert.deepEqual(c.masterKey, {
      source: 'file',
      path: path.resolve('./data/master.key'),
      generateIfMissing: true,
    });
    assert.deepEqual(c.oldMasterKeys, []);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.secureCookies, false);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.logRequests, false);
    assert.equal(c.dbPoolSize, 16);
    assert.equal(c.sessionIdleMinutes, 30);
    assert.equal(c.sessionMaxHours, 12);
    assert.equal(c.bodyLimitBytes, 1_000_000);
    assert.equal(c.jobsEnabled, true);
    assert.deepEqual(c.trustProxy, [], 'no proxy is trusted by default');
    assert.equal(c.smtp, undefined);
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ PORT: '', SOGLASIE_PUBLIC_URL: '', SMTP_HOST: '' });
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.smtp, undefined);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      SOGLASIE_DATA_DIR: '/var/lib/soglasie',
      DATABASE_URL: 'postgres://app@db/soglasie',
      SOGLASIE_KEYRING_URL: 'postgresql://app@keys/keyring',
      SOGLASIE_MASTER_KEY: KEY,
      SOGLASIE_MASTER_KEY_OLD: ' a , b ',
      SOGLASIE_PUBLIC_URL: 'https://clinic.example.ru/',
      SOGLASIE_JOBS: 'off',
      SOGLASIE_SESSION_IDLE_MINUTES: '15',
      SOGLASIE_OUTBOUND_ALLOW: ' crm.clinic.local, 10.20.0.0/16 ,',
      SMTP_HOST: 'smtp.example.ru',
      SMTP_FROM: 'Клиника <noreply@clinic.example.ru>',
    });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, '/var/lib/soglasie');
    assert.equal(c.databaseUrl, 'postgres://app@db/soglasie');
    assert.equal(c.keyringUrl, 'postgresql://app@keys/keyring');
    assert.deepEqual(c.masterKey, { source: 'env', value: KEY });
    assert.deepEqual(c.oldMasterKeys, ['a', 'b']);
    assert.equal(c.publicUrl, 'https://clinic.example.ru', 'the trailing slash is dropped');
    assert.equal(c.secureCookies, true);
    assert.equal(c.jobsEnabled, false);
    assert.equal(c.sessionIdleMinutes, 15);
    assert.deepEqual(c.outboundAllow, ['crm.clinic.local', '10.20.0.0/16']);
    assert.deepEqual(c.smtp, {
      host: 'smtp.example.ru',
      port: 587,
      secure: false,
      user: undefined,
      password: undefined,
      from: 'Клиника <noreply@clinic.example.ru>',
    });
  });

  it('stops production mode without a master key or a public URL, naming each variable and the fix', () => {
    const base = { SOGLASIE_MODE: 'production', DATABASE_URL: 'postgres://db/soglasie' };
    const noKey = problemOf({ ...base, SOGLASIE_PUBLIC_URL: 'https://clinic.example.ru' });
    assert.match(noKey, /SOGLASIE_MASTER_KEY \(or SOGLASIE_MASTER_KEY_FILE\) is required in production mode/);
    assert.match(noKey, /randomBytes\(32\)/, 'says how to generate one');
    assert.doesNotMatch(noKey, /SOGLASIE_PUBLIC_URL/);

    const noUrl = problemOf({ ...base, SOGLASIE_MASTER_KEY: KEY });
    assert.match(noUrl, /SOGLASIE_PUBLIC_URL is required in production mode/);
    assert.doesNotMatch(noUrl, /SOGLASIE_MASTER_KEY/);

    const neither = problemOf({ SOGLASIE_MODE: 'production' });
    for (const v of ['SOGLASIE_MASTER_KEY', 'SOGLASIE_PUBLIC_URL', 'DATABASE_URL'])
      assert.match(neither, new RegExp(v));
    assert.match(neither, /README/);

    const ok = loadConfig({
      ...base,
      SOGLASIE_MASTER_KEY: KEY,
      SOGLASIE_PUBLIC_URL: 'https://clinic.example.ru',
    });
    assert.equal(ok.mode, 'production');
    // Production never generates a key file on its own.
    const withFile = loadConfig({
      ...base,
      SOGLASIE_MASTER_KEY_FILE: '/etc/soglasie/master.key',
      SOGLASIE_PUBLIC_URL: 'https://clinic.example.ru',
    });
    assert.deepEqual(withFile.masterKey, {
      source: 'file',
      path: '/etc/soglasie/master.key',
      generateIfMissing: false,
    });
  });

  it('trusts only the proxies listed in SOGLASIE_TRUST_PROXY, and refuses `true` with the fix', () => {
    assert.deepEqual(loadConfig({ SOGLASIE_TRUST_PROXY: '127.0.0.1' }).trustProxy, ['127.0.0.1']);
    assert.deepEqual(
      loadConfig({ SOGLASIE_TRUST_PROXY: ' 10.0.0.5, 10.0.1.0/24 ,::1,fd00::/8,loopback' }).trustProxy,
      ['10.0.0.5', '10.0.1.0/24', '::1', 'fd00::/8', 'loopback'],
    );
    for (const off of ['false', 'off', '0', 'none'])
      assert.deepEqual(loadConfig({ SOGLASIE_TRUST_PROXY: off }).trustProxy, [], off);
    for (const yes of ['true', 'yes', '1']) {
      const m = problemOf({ SOGLASIE_TRUST_PROXY: yes });
      assert.match(m, /SOGLASIE_TRUST_PROXY: true would believe X-Forwarded-For from any client/);
      assert.match(m, /SOGLASIE_TRUST_PROXY=127\.0\.0\.1/, 'says what to write');
    }
    for (const bad of ['10.0.0.0/33', 'nginx', '10.0.0.1/8/1', '::1/129', '10.0.0.1,', '1.2.3'])
      assert.match(
        problemOf({ SOGLASIE_TRUST_PROXY: bad }),
        /SOGLASIE_TRUST_PROXY: not an address or CIDR/,
        bad,
      );
  });

  it('refuses malformed values, naming the variable', () => {
    assert.match(problemOf({ PORT: 'eighty' }), /PORT/);
    assert.match(problemOf({ PORT: '70000' }), /PORT/);
    assert.match(problemOf({ SOGLASIE_PUBLIC_URL: 'clinic.example.ru' }), /SOGLASIE_PUBLIC_URL/);
    assert.match(problemOf({ SOGLASIE_PUBLIC_URL: 'ftp://clinic.example.ru' }), /SOGLASIE_PUBLIC_URL/);
    assert.match(problemOf({ DATABASE_URL: 'mysql://db/soglasie' }), /DATABASE_URL: must be a postgres/);
    assert.match(problemOf({ SOGLASIE_MODE: 'prod' }), /SOGLASIE_MODE/);
    assert.match(problemOf({ SOGLASIE_JOBS: 'maybe' }), /SOGLASIE_JOBS/);
    assert.match(problemOf({ SOGLASIE_BODY_LIMIT_BYTES: '10' }), /SOGLASIE_BODY_LIMIT_BYTES/);
    assert.match(problemOf({ SOGLASIE_OUTBOUND_ALLOW: 'crm.local, http://x/' }), /SOGLASIE_OUTBOUND_ALLOW/);
    assert.match(problemOf({ SOGLASIE_OUTBOUND_ALLOW: '10.0.0.0/40' }), /SOGLASIE_OUTBOUND_ALLOW/);
    assert.match(problemOf({ SMTP_HOST: 'smtp.example.ru' }), /SMTP_FROM is required when SMTP_HOST is set/);
    assert.match(
      problemOf({ SOGLASIE_MASTER_KEY: KEY, SOGLASIE_MASTER_KEY_FILE: '/k' }),
      /either SOGLASIE_MASTER_KEY or SOGLASIE_MASTER_KEY_FILE/,
    );
  });

  it('refuses a malformed master key at start, without echoing it', async () => {
    for (const bad of [
      'not-a-key',
      randomBytes(16).toString('base64'),
      `${KEY}!`,
      randomBytes(32).toString('hex'),
    ]) {
      const config = loadConfig({ SOGLASIE_MASTER_KEY: bad });
      await assert.rejects(
        loadMasterKeys(config, () => undefined),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, /SOGLASIE_MASTER_KEY must be 32 random bytes in base64/);
          assert.match(e.message, /Generate one with/);
          assert.equal(e.message.includes(bad), false, 'the key is not echoed');
          return true;
        },
      );
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'soglasie-config-'));
    try {
      const file = path.join(dir, 'master.key');
      await writeFile(file, 'garbage\n');
      const fromFile = loadConfig({ SOGLASIE_MASTER_KEY_FILE: file });
      await assert.rejects(
        loadMasterKeys(fromFile, () => undefined),
        /master key file .* must be 32 random bytes/,
      );
      const missing = loadConfig({
        SOGLASIE_MODE: 'production',
        DATABASE_URL: 'postgres://db/x',
        SOGLASIE_PUBLIC_URL: 'https://c.example.ru',
        SOGLASIE_MASTER_KEY_FILE: path.join(dir, 'absent.key'),
      });
      await assert.rejects(
        loadMasterKeys(missing, () => undefined),
        /does not exist/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is a deeply frozen object', () => {
    const c = loadConfig({
      SMTP_HOST: 'smtp.example.ru',
      SMTP_FROM: 'a@example.ru',
      SOGLASIE_MASTER_KEY_OLD: 'x',
    });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.masterKey));
    assert.ok(Object.isFrozen(c.smtp));
    assert.ok(Object.isFrozen(c.oldMasterKeys));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (c.smtp as { host: string }).host = 'evil.example';
    }, TypeError);
    assert.equal(c.port, 3000);
  });

  it('makes `soglasie serve` exit with status 2 and the fix when production mode is incomplete', async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const child = spawn(process.execPath, [path.join(root, 'bin/soglasie.mjs'), 'serve'], {
      cwd: root,
      // Only what the command needs: none of the test run's database settings.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SOGLASIE_MODE: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /SOGLASIE_MASTER_KEY \(or SOGLASIE_MASTER_KEY_FILE\) is required in production mode/,
    );
    assert.match(stderr, /SOGLASIE_PUBLIC_URL is required/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });
});
