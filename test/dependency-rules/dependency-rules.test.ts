import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The module boundaries of .dependency-cruiser.cjs (run by `npm run lint`) each fire on a tree made
 * to break them, and stay quiet on what they allow. The tree is cruised exactly as lint cruises the
 * repository: the same CLI, the same configuration.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

const tree: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true },
  }),
  'src/db/schema/index.ts': 'export const orders = {};\n',
  // A route reading a table: refused. A route calling a module's index: allowed.
  'src/http/routes/orders.ts':
    "import { orders } from '../../db/schema/index.ts';\nimport { place } from '../../modules/orders/index.ts';\nexport const routes = [orders, place];\n",
  // A job reaching into a module's file: refused.
  'src/jobs/sweep.ts': "import { place } from '../modules/orders/place.ts';\nexport const sweep = place;\n",
  'src/modules/orders/index.ts': "export { place } from './place.ts';\n",
  'src/modules/orders/place.ts': "import { charge } from '../wallet/index.ts';\nexport const place = () => charge;\n",
  // A module's own test importing deep: allowed. Another module's file importing deep: refused.
  'src/modules/orders/__tests__/place.test.ts': "import { place } from '../place.ts';\nexport const t = place;\n",
  'src/modules/wallet/index.ts': "export { charge } from './charge.ts';\n",
  'src/modules/wallet/charge.ts': "import { place } from '../orders/index.ts';\nexport const charge = () => place;\n",
  'src/modules/audit/record.ts': "import { charge } from '../wallet/charge.ts';\nexport const record = charge;\n",
  // A cycle inside one module is its own business; orders ⇄ wallet (above) is not.
  'src/modules/audit/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
  'src/modules/audit/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

let dir: string;
let violations: Violation[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'otpbox-bounds-'));
  for (const [file, text] of Object.entries(tree)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  const run = await promisify(execFile)(
    process.execPath,
    [cli, 'src', '--config', path.join(repo, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd: dir },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  violations = JSON.parse(run.stdout).summary.violations;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const firing = (rule: string) =>
  violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} → ${v.to}`)
    .sort();

describe('module boundaries (.dependency-cruiser.cjs)', () => {
  it('refuses a route that imports db/schema', () => {
    expect(firing('routes-no-schema')).toEqual(['src/http/routes/orders.ts → src/db/schema/index.ts']);
  });

  it("refuses a deep import from outside the module and from another module, not from the module's own tests", () => {
    expect(firing('no-deep-module-imports')).toEqual([
      'src/jobs/sweep.ts → src/modules/orders/place.ts',
      'src/modules/audit/record.ts → src/modules/wallet/charge.ts',
    ]);
  });

  it('refuses a cycle between modules, not one inside a module', () => {
    const cycles = violations.filter((v) => v.rule.name === 'no-module-cycles');
    // One report per cycle: orders ⇄ wallet; audit/a.ts ⇄ audit/b.ts stays inside its module.
    expect(cycles).toHaveLength(1);
    const through = [cycles[0]?.from, ...(cycles[0]?.cycle ?? []).map((step) => step.name)];
    expect(through).toEqual(expect.arrayContaining(['src/modules/orders/place.ts', 'src/modules/wallet/charge.ts']));
    expect(through.some((file) => file?.startsWith('src/modules/audit/'))).toBe(false);
  });

  it('allows the rest: route → module index, a module’s own deep imports, its tests', () => {
    expect(violations).toHaveLength(4);
  });
});
