/**
 * `npm run bench`: every bench script in turn, each in its own process so that one's heap and
 * threads do not colour the next. Figures drift 25-40% on shared machines: compare only figures
 * taken in the same run. Results go to bench/results/<name>.json (git-ignored).
 *
 *   npm run bench                  # all
 *   npm run bench -- crypto argon2 # some
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './lib.ts';

const ALL = ['cold-start', 'crypto', 'argon2', 'http-baseline', 'intake', 'inbox', 'crash', 'backup'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
const unknown = chosen.filter((c) => !ALL.includes(c));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench: ${unknown.join(', ')}; choose from ${ALL.join(', ')}\n`);
  process.exit(2);
}

let failed = 0;
for (const name of chosen) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const t = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.ts`)], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    child.on('exit', resolve);
  });
  process.stdout.write(
    `=== ${name}: ${code === 0 ? 'done' : `FAILED (${code})`} in ${Math.round((performance.now() - t) / 1000)} s ===\n`,
  );
  if (code !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
