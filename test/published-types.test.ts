/**
 * The published declarations (dist/**\/*.d.ts) compile in a user's project with
 * `skipLibCheck: false`: every package they import is a dependency (not a devDependency) that
 * ships types or whose `@types/...` is a dependency too. (test/user-package.test.ts compiles a
 * user project against them; this catches what that cannot, since the repository's own
 * node_modules holds the devDependencies as well.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

function declarations(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? declarations(p) : e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('every package the published declarations import is a typed dependency', () => {
  const dist = path.join(ROOT, 'dist');
  assert.ok(fs.existsSync(dist), 'dist/ is built by npm ci (prepare)');
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies ?? {});
  const bad: string[] = [];
  for (const file of declarations(path.join(dist))) {
    if (path.relative(dist, file).startsWith('test') || path.relative(dist, file).startsWith('bench')) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*['"]([^'".][^'"]*)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'child_process', 'url', 'util', 'events', 'stream', 'worker_threads'].includes(spec)) continue; // @types/node
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      const typesName = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
      const own = path.join(ROOT, 'node_modules', name, 'package.json');
      const shipsTypes = fs.existsSync(own) && (() => {
        const pj = JSON.parse(fs.readFileSync(own, 'utf8'));
        return Boolean(pj.types || pj.typings || fs.existsSync(path.join(ROOT, 'node_modules', name, 'index.d.ts')));
      })();
      if (!deps.includes(name) || !(shipsTypes || deps.includes(typesName))) bad.push(`${path.relative(ROOT, file)} imports '${spec}'`);
    }
  }
  assert.equal(bad, []);
});

test.run();
