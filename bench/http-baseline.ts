/**
 * HTTP baseline: autocannon -c 50 -d 10 against /healthz (no database) and /readyz (pings both
 * databases) of the real `serve` on the embedded PostgreSQL, and against a bare Fastify server that
 * returns the same JSON, in the same run. Prints req/s, p99 and the app / bare ratio.
 *
 *   npx tsx bench/http-baseline.ts [seconds=10] [connections=50]
 */
import autocannon from 'autocannon';
import {
  printTable,
  removeDir,
  round,
  startChildServer,
  startServe,
  tempDir,
  writeResult,
  type ServeProcess,
} from './lib.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);

interface Row {
  path: string;
  server: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration });
}

const dataDir = await tempDir('http');
let serve: ServeProcess | undefined;
let bare: Awaited<ReturnType<typeof startChildServer>> | undefined;
const rows: Row[] = [];
try {
  serve = await startServe({ dataDir });
  bare = await startChildServer('bench/bare-server.ts');
  for (const p of ['/healthz', '/readyz']) {
    for (const [name, base] of [
      ['app (serve)', serve.url],
      ['bare Fastify', bare.url],
    ] as const) {
      await load(base + p, 1); // warm-up: JIT, connections, pool
      const r = await load(base + p, seconds);
      rows.push({
        path: p,
        server: name,
        requestsPerSecond: round(r.requests.average, 0),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      });
    }
  }
  if (serve.stderr().trim()) process.stdout.write(`serve wrote to stderr:\n${serve.stderr()}\n`);
} finally {
  await bare?.stop();
  await serve?.stop();
  await removeDir(dataDir);
}

printTable(
  `HTTP baseline (autocannon -c ${connections} -d ${seconds}, 127.0.0.1, same run)`,
  rows.map((r) => ({ ...r })),
);
const ratios = ['/healthz', '/readyz'].map((p) => {
  const app = rows.find((r) => r.path === p && r.server.startsWith('app'))!;
  const b = rows.find((r) => r.path === p && r.server.startsWith('bare'))!;
  return { path: p, appOverBare: round(app.requestsPerSecond / b.requestsPerSecond, 2) };
});
printTable('app / bare (requests per second)', ratios);
await writeResult('http-baseline', { seconds, connections, rows, ratios });
