/**
 * The layout's boundaries (STYLE.md, "The layout we are moving to"). Lint holds the import rules
 * (eslint.config.js); this file proves each of them fires on a probe, and checks what lint cannot
 * see: that platform/ touches no module's tables in its SQL, and that every module has the
 * index.ts the rules let others import.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '..');

/** Every .ts file under `dir`, tests and test support excluded. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !/\.test\.ts$|\.testing\.ts$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Tables the migrations create, in both databases. */
function tables(): Set<string> {
  const names = new Set<string>();
  for (const db of ['data', 'keyring']) {
    for (const f of readdirSync(path.join(root, 'migrations', db))) {
      const sql = readFileSync(path.join(root, 'migrations', db, f), 'utf8');
      for (const m of sql.matchAll(
        /create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)/gi,
      )) {
        names.add(m[1]!.toLowerCase());
      }
    }
  }
  return names;
}

/** Tables a source file's SQL names (comments left out, they quote examples). */
function tablesNamedIn(file: string, known: Set<string>): string[] {
  const code = readFileSync(path.join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const named = new Set<string>();
  for (const m of code.matchAll(/\b(?:from|into|update|join|table)\s+([a-z_][a-z0-9_]*)/gi)) {
    const t = m[1]!.toLowerCase();
    if (known.has(t)) named.add(t);
  }
  return [...named].sort();
}

/** The platform's own tables: the job queue and the migration ledger. */
const PLATFORM_TABLES = new Set(['jobs', 'schema_migrations']);

describe('layout boundaries that lint cannot see', () => {
  it('platform/ reads and writes only its own tables; a module purges its tables itself', () => {
    const known = tables();
    assert.ok(known.has('sessions') && known.has('jobs'), 'the migrations were read');
    // The scan finds what it looks for: the staff module's purge job names its table.
    assert.deepEqual(tablesNamedIn('src/modules/staff/purge-sessions.job.ts', known), ['sessions']);
    const offending = sources('src/platform').flatMap((f) =>
      tablesNamedIn(f, known)
        .filter((t) => !PLATFORM_TABLES.has(t))
        .map((t) => `${f}: ${t}`),
    );
    assert.deepEqual(offending, []);
  });

  it('every module has the index.ts others import it through', () => {
    const modules = readdirSync(path.join(root, 'src/modules'), { withFileTypes: true }).filter((d) =>
      d.isDirectory(),
    );
    assert.ok(modules.length > 5);
    const missing = modules.filter((d) => !existsSync(path.join(root, 'src/modules', d.name, 'index.ts')));
    assert.deepEqual(
      missing.map((d) => d.name),
      [],
    );
  });
});

describe('import boundaries in lint', () => {
  /** Lints `code` as if it were the file `file`, with the boundary rules only (no type information). */
  async function problems(file: string, code: string): Promise<string[]> {
    const { boundaries } = (await import(path.join(root, 'eslint.config.js'))) as {
      boundaries: Linter.Config[];
    };
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, ...boundaries],
    });
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
  }

  const probe = (from: string): string => `import * as probe from '${from}';\nexport const used = probe;\n`;

  it('platform/ imports no module, surface or composition', async () => {
    for (const from of ['../modules/audit/index.ts', '../composition/context.ts', '../app.ts']) {
      const found = await problems('src/platform/probe.ts', probe(from));
      assert.equal(found.length, 1, from);
      assert.match(found[0]!, /no-restricted-paths: .*bottom layer/);
    }
    assert.deepEqual(await problems('src/platform/probe.ts', probe('./errors.ts')), []);
  });

  it('a module imports another only through its index.ts (tests may use its test support)', async () => {
    const deep = await problems('src/modules/reviews/probe.ts', probe('../policy/policy.service.ts'));
    assert.deepEqual(deep, [
      'import-x/no-restricted-paths: Unexpected path "../policy/policy.service.ts" imported in restricted zone. ' +
        'Import the policy module through src/modules/policy/index.ts.',
    ]);
    assert.deepEqual(await problems('src/modules/reviews/probe.ts', probe('../policy/index.ts')), []);
    assert.deepEqual(await problems('src/modules/reviews/probe.ts', probe('./reviews.service.ts')), []);
    const support = probe('../policy/policy.testing.ts');
    assert.equal((await problems('src/modules/reviews/probe.ts', support)).length, 1);
    assert.deepEqual(await problems('src/modules/reviews/probe.test.ts', support), []);
    // Outside the modules too.
    assert.equal(
      (await problems('src/composition/probe.ts', probe('../modules/policy/policy.service.ts'))).length,
      1,
    );
  });

  it('a module takes no composition root and no surface', async () => {
    for (const from of ['../../composition/context.ts', '../../console/index.ts']) {
      const found = await problems('src/modules/reviews/probe.ts', probe(from));
      assert.equal(found.length, 1, from);
      assert.match(found[0]!, /narrow dependencies/);
    }
  });

  it('surfaces never import a repository', async () => {
    for (const surface of ['src/console', 'src/web', 'src/api', 'src/cli']) {
      const found = await problems(`${surface}/probe.ts`, probe('../modules/staff/staff.repository.ts'));
      assert.ok(
        found.some((m) => /repositories stay inside their module/.test(m)),
        `${surface}: ${found.join('; ')}`,
      );
    }
    const api = await problems('src/modules/api/probe.ts', probe('../staff/staff.repository.ts'));
    assert.ok(api.some((m) => /repositories stay inside their module/.test(m)));
  });

  it('no import cycles: a value import back into the importer is refused', async () => {
    // audit.service.ts is imported by the module's index; importing the index back closes a cycle.
    const found = await problems('src/modules/audit/audit.service.ts', probe('./index.ts'));
    assert.ok(
      found.some((m) => m.startsWith('import-x/no-cycle')),
      found.join('; '),
    );
  });
});
