import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const ci = readFileSync('.ci/run', 'utf8');

/** The major versions an engines range such as `^20.11.0 || ^24.0.0` allows. */
function majorsOf(range: string): number[] {
  return range.split('||').map((part) => {
    const m = /^\s*\^(\d+)\.\d+\.\d+\s*$/.exec(part);
    assert.ok(m, `engines.node part "${part}" is not a caret range`);
    return Number(m[1]);
  });
}

// Node 20 reached its end of life in April 2026: the current LTS is declared and run in CI too.
describe('supported Node.js versions', () => {
  it('declares Node 20 and the current LTS, 24, in package.json engines', () => {
    assert.deepEqual(majorsOf(pkg.engines.node), [20, 24]);
  });

  it('runs on a declared version', () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.ok(majorsOf(pkg.engines.node).includes(major), `Node ${process.version} is not declared`);
  });

  it('has CI run the suite under Node 24 from the npm registry', () => {
    assert.match(ci, /npm install [^\n]*"\$\{node_pkg\}@24"/);
    assert.match(ci, /PATH="\$node24_bin:\$PATH" npm test/);
  });
});
