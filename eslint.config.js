// Type-aware lint: floating promises, exhaustive switches and strict equality are errors.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import tseslint from 'typescript-eslint';

// The layout's boundaries (see STYLE.md, "The layout we are moving to"). Paths are absolute so
// the zones hold whatever folder eslint runs from.
const root = import.meta.dirname;
const at = (...p) => path.join(root, ...p);
/** The domain modules, read from the tree so a new module is bound by the rules from its first file. */
const MODULES = readdirSync(at('src/modules'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** Surfaces: the staff console, the public site, the REST API (in either of its homes), the CLI. */
const SURFACES = ['src/console', 'src/web', 'src/api', 'src/modules/api', 'src/cli', 'src/cli.ts'];
/** Everything that is not platform or config: what the bottom layer must never import. */
const ABOVE_PLATFORM = [
  'src/modules',
  'src/composition',
  'src/console',
  'src/web',
  'src/api',
  'src/cli',
  'src/cli.ts',
  'src/app.ts',
  'src/server.ts',
  'src/runtime.ts',
];
const CODE = ['src', 'test', 'bench', 'scripts'];

/** Files outside module `m`: the rest of src/ (other modules included), tests, benches, scripts. */
const outside = (m) => [
  ...readdirSync(at('src'))
    .filter((e) => e !== 'modules')
    .map((e) => at('src', e)),
  ...MODULES.filter((o) => o !== m).map((o) => at('src/modules', o)),
  ...['test', 'bench', 'scripts'].map((d) => at(d)),
];

/**
 * The zones; `alsoAllowed(m)` lists further files of module `m` others may import (globs, as the
 * rule requires when `from` is one; `@(index).ts` is the glob for exactly index.ts).
 */
const boundaryZones = (alsoAllowed, { tests = false } = {}) => [
  {
    target: ['src/platform', 'src/config'].map((p) => at(p)),
    from: ABOVE_PLATFORM.map((p) => at(p)),
    message: 'platform/ and config/ are the bottom layer: they import no module, surface or composition.',
  },
  // Modules are below the composition root and the surfaces that call them (tests may use both to
  // build the real app).
  ...(tests
    ? []
    : [
        {
          target: [at('src/modules')],
          from: ['src/composition', 'src/console', 'src/web', 'src/cli', 'src/cli.ts'].map((p) => at(p)),
          message:
            'A module takes what it needs as narrow dependencies, not from the composition root or a surface.',
        },
      ]),
  // A module is imported through its index.ts only, by other modules and by everything else.
  ...MODULES.map((m) => ({
    target: outside(m),
    from: [at('src/modules', m, '**')],
    except: [at('src/modules', m, '@(index).ts'), ...alsoAllowed(m)],
    message: `Import the ${m} module through src/modules/${m}/index.ts.`,
  })),
  {
    target: SURFACES.map((p) => at(p)),
    from: [at('src/**/*.repository.ts')],
    message: 'A surface calls a service; repositories stay inside their module.',
  },
];
/** Tests and their helpers may also use another module's test support (fixtures, fake servers). */
const TEST_FILES = ['**/*.test.ts', '**/*.testing.ts', 'test/**', 'bench/**'];
const testSupportOf = (m) => [at('src/modules', m, '**/*.testing.ts')];

/** The import boundaries on their own; test/boundaries.test.ts lints probes with them. */
export const boundaries = [
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Imports name their .ts files, so node resolution finds them; the cycle check parses them.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // Type-only imports do not count: they vanish at run time and cannot deadlock module loading.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: boundaryZones(() => []) }],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: boundaryZones(testSupportOf, { tests: true }) }],
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.test-data/', 'scratch/', 'bin/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      eqeqeq: ['error', 'always'],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config only.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    // A test that expects a failure names it: a bare assert.rejects passes on any error at all.
    files: TEST_FILES,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='assert'][callee.property.name=/^(rejects|throws)$/][arguments.length<2]",
          message: 'Name the error it expects: assert.rejects(promise, { code }) or a predicate.',
        },
      ],
    },
  },
  {
    files: ['src/config/config.ts', 'scripts/**', 'bench/**', 'test/**', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Scripts served to browsers as they are (no build step): plain JavaScript, outside the
    // TypeScript project, so without type-aware rules; browser globals are declared in each file.
    files: ['src/**/assets/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      ecmaVersion: 2022,
    },
  },
);
