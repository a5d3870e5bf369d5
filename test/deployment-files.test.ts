import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.ts';
import { createEmptyPostgresDatabase, onPostgres } from './support/database.ts';
import { moduleImports } from './support/module-imports.ts';
import { freePort, ROOT, tempDir } from './support/spawn.ts';

/**
 * The deployment files (Dockerfile, compose.yaml, deploy/Caddyfile, deploy/kubernetes/), checked
 * statically: no container engine runs where the tests run. The names of otpbox's settings are read
 * from src/config.ts, so a renamed variable fails here. Then the image's runtime stage is rehearsed
 * without a container: the files its COPY lines take are laid out in a folder of their own, and its
 * ENTRYPOINT/CMD, HEALTHCHECK and STOPSIGNAL are run there (on PGlite, and on PostgreSQL as compose
 * runs it: migrate once, then two instances). Like test/bundle-size.test.ts, it needs the build
 * (`npm run build`, which `npm ci` runs) and fails rather than skips without it.
 */

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const CONFIG_NAMES = new Set<string>(CONFIG_VARIABLES);
/** Node's own settings, set in the image beside otpbox's. */
const NODE_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS']);
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|_KEY$|_AUTH$/;
/** A SECRET_KEY otpbox accepts (64 hex characters), for the configurations checked here. */
const SAMPLE_SECRET = 'a'.repeat(64);

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped (also inside continued lines), continuations joined. */
function dockerInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (pending === '' && line.trim() === '') continue;
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (continued) continue;
    const match = /^\s*(\S+)\s+([\s\S]*?)\s*$/.exec(pending);
    if (match) instructions.push({ keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).replace(/\s+/g, ' ') });
    pending = '';
  }
  return instructions;
}

function dockerStages(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of dockerInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(' ');
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs.get(a ?? b) ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), from: resolved, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value = ''] = instruction.args.split('=');
        globalArgs.set(name, value);
      }
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed = JSON.parse(args) as unknown;
  return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
}

const dockerfile = read('Dockerfile');
/** The Dockerfile without its comments: what the builder runs. */
const dockerCode = dockerInstructions(dockerfile)
  .map((i) => `${i.keyword} ${i.args}`)
  .join('\n');
const { stages } = dockerStages(dockerfile);
const runtime = stages[stages.length - 1] as Stage;
const stage = (name: string) => stages.find((s) => s.name === name);
const all = (s: Stage | undefined, keyword: string) => (s?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (s: Stage, keyword: string) => all(s, keyword).at(-1);

/** ENV of the runtime stage (`ENV NAME=value`, one or more per line). */
function stageEnv(s: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(s, 'ENV'))
    for (const [, name, value] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[name as string] = value as string;
  return env;
}
const runtimeEnv = stageEnv(runtime);
const runtimeUser = last(runtime, 'USER') ?? '';
const workdir = (s: Stage) => last(s, 'WORKDIR') ?? '/';

interface Copy {
  from: string | undefined;
  source: string;
  target: string;
}
const copies: Copy[] = all(runtime, 'COPY').map((args) => {
  const parts = args.split(' ');
  const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
  const [source = '', target = ''] = parts.filter((p) => !p.startsWith('--'));
  return { from, source, target };
});
const healthcheck = (() => {
  const args = last(runtime, 'HEALTHCHECK') ?? '';
  const command = args.slice(args.indexOf('CMD ') + 4);
  return { options: args.slice(0, args.indexOf('CMD ')), exec: execForm(command) };
})();
const entrypoint = execForm(last(runtime, 'ENTRYPOINT') ?? '') ?? [];
const cmd = execForm(last(runtime, 'CMD') ?? '') ?? [];

describe('Dockerfile', () => {
  it('has a dependency stage, a build stage and a runtime stage, each from the same Node 20 slim image', () => {
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'runtime']);
    for (const s of stages) expect(s.from, s.name).toMatch(/^node:20(\.\d+)*-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('installs the production tree in one stage, everything in the other, never running install scripts', () => {
    const deps = all(stage('deps'), 'RUN').join('\n');
    const build = all(stage('build'), 'RUN').join('\n');
    expect(deps).toMatch(/npm ci\b[^\n]*--omit=dev/);
    expect(deps).toMatch(/npm ci\b[^\n]*--ignore-scripts/);
    expect(build).toMatch(/npm ci\b[^\n]*--ignore-scripts/);
    expect(build).not.toMatch(/--omit=dev/);
    expect(build).toMatch(/npm run build/);
    // The runtime user must read every built file (PGlite leaves one 0600) and write none.
    expect(build).toMatch(/chmod -R u=rwX,go=rX dist web\/dist/);
  });

  it('skips only install scripts that package.json denies anyway (allowScripts), so --ignore-scripts loses nothing', () => {
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts?.[name], `${name} has an install script`).toBe(false);
  });

  it('runs as a numeric non-root user that owns the data folder, which is a volume', () => {
    expect(runtimeUser).toMatch(/^\d+(:\d+)?$/);
    const uid = Number(runtimeUser.split(':')[0]);
    expect(uid).toBeGreaterThan(0);
    const dataDir = runtimeEnv.DATA_DIR as string;
    expect(dataDir).toMatch(/^\//);
    expect(all(runtime, 'RUN').join('\n')).toContain(`chown ${uid}:`);
    expect(all(runtime, 'RUN').join('\n')).toContain(`chmod 0700 ${dataDir}`);
    expect(all(runtime, 'VOLUME').join(' ')).toContain(dataDir);
  });

  it('sets only otpbox settings and node options, listens on every interface, exposes its port, holds no secret', () => {
    for (const name of Object.keys(runtimeEnv)) expect(CONFIG_NAMES.has(name) || NODE_VARIABLES.has(name), name).toBe(true);
    expect(runtimeEnv.NODE_ENV).toBe('production');
    expect(runtimeEnv.HOST).toBe('0.0.0.0');
    expect(all(runtime, 'EXPOSE')).toEqual([runtimeEnv.PORT]);
    for (const s of stages)
      for (const i of s.instructions.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG'))
        expect(i.args, `${s.name}: ${i.keyword} ${i.args}`).not.toMatch(SECRET_NAME);
    expect(dockerCode).not.toMatch(/SECRET_KEY|sk_live_|whsec_|PASSWORD/);
  });

  it('checks /readyz in exec form without curl, and starts node itself (exec form) so SIGTERM reaches it', () => {
    expect(healthcheck.exec?.[0]).toBe('node');
    expect(healthcheck.exec?.join(' ')).toContain('/readyz');
    expect(healthcheck.options).toMatch(/--interval=\d+s/);
    expect(healthcheck.options).toMatch(/--timeout=\d+s/);
    expect(healthcheck.options).toMatch(/--start-period=\d+s/);
    expect(dockerCode).not.toMatch(/\b(curl|wget)\b/);
    expect(last(runtime, 'STOPSIGNAL')).toBe('SIGTERM');
    expect(entrypoint).toEqual(['node', 'dist/otpbox.mjs']);
    expect(cmd).toEqual(['start']);
  });

  it('copies into the runtime what `otpbox start` reads, and each copied path exists after `npm run build`', () => {
    const buildDir = workdir(stage('build') as Stage);
    const fromBuild = copies.filter((c) => c.from === 'build').map((c) => path.posix.relative(buildDir, c.source));
    expect(fromBuild).toEqual(expect.arrayContaining(['package.json', 'dist', 'web/dist']));
    for (const source of fromBuild) expect(existsSync(path.join(ROOT, source)), `${source}: run \`npm run build\``).toBe(true);
    for (const built of [
      'dist/otpbox.mjs',
      'dist/build-info.json',
      'dist/migrations/meta/_journal.json',
      'dist/pglite-template/manifest.json',
    ])
      expect(existsSync(path.join(ROOT, built)), `${built}: run \`npm run build\``).toBe(true);
    expect(existsSync(path.join(ROOT, 'web/dist/index.html')), 'web/dist: run `npm run build`').toBe(true);
    expect(copies.find((c) => c.from === 'deps')?.source).toBe(`${workdir(stage('deps') as Stage)}/node_modules`);
    // Nothing of the sources: the launcher then always runs dist/ (bin/entry.js).
    expect(copies.some((c) => /(^|\/)(src|test|web\/src)$/.test(c.source))).toBe(false);
  });

  it('imports at run time only production dependencies (the runtime has no dev dependencies)', () => {
    // The bundle and its chunks (scripts/build.mjs), read as code (support/module-imports.ts).
    const chunks = readdirSync(path.join(ROOT, 'dist/chunks')).filter((name) => name.endsWith('.mjs'));
    const specifiers = new Set(
      ['dist/otpbox.mjs', ...chunks.map((name) => `dist/chunks/${name}`)].flatMap((file) =>
        moduleImports(read(file)).map((found) => found.specifier),
      ),
    );
    const packages = new Set(
      [...specifiers]
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0] as string))
        .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string))),
    );
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(packages).toContain('@electric-sql/pglite');
    expect(packages).toContain('pg');
    // Required at first use (lib/packages.ts), named where they are used.
    for (const lazy of ['otplib', 'libphonenumber-js', '@zxcvbn-ts/language-common', 'smpp']) expect(packages).toContain(lazy);
    expect(packages.size).toBeGreaterThan(8);
    for (const name of packages) expect(Object.keys(dependencies), `${name} is imported by dist/`).toContain(name);
  });

  it('.dockerignore keeps installed and built output, data, secrets and version control out of the build', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['**/node_modules', 'dist', 'web/dist', '.git', 'data', '.env']) expect(ignored).toContain(entry);
  });
});

// ---------------------------------------------------------------------------------------------
// compose.yaml and the Caddyfile

type Env = Record<string, string>;
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  environment?: Env;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string; start_period?: string };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  volumes?: string[];
  ports?: string[];
}
const compose = parseYaml(read('compose.yaml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const instances = Object.keys(services).filter((name) => /^otpbox-\d+$/.test(name));
const caddyfile = read('deploy/Caddyfile');
const caddyDirectives = caddyfile
  .split('\n')
  .map((line) => line.replace(/#.*$/, '').trim())
  .filter(Boolean);

/** Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error} (an error when unset or empty). */
function interpolate(value: string, env: Env): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind: string | undefined, rest: string) => {
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return kind === '-' ? rest : '';
  });
}
const seconds = (duration: string | undefined) => {
  const match = /^(\d+)(s|m)$/.exec(duration ?? '');
  return match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : Number.NaN;
};
/** KEY=value lines of an env file (comments and blank lines skipped). */
const envFile = (file: string): Env =>
  Object.fromEntries(
    read(file)
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('compose.yaml', () => {
  it('runs PostgreSQL 16, a migration, two otpbox instances and Caddy', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'migrate', 'caddy']));
    expect(instances.length).toBeGreaterThanOrEqual(2);
    expect(services.postgres?.image).toMatch(/^postgres:16\b/);
    expect(services.postgres?.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(services.caddy?.image).toMatch(/^caddy:2\b/);
  });

  it('checks every long-running service: pg_isready for PostgreSQL, /readyz without curl for otpbox', () => {
    expect(services.postgres?.healthcheck?.test?.join(' ')).toMatch(/^CMD(-SHELL)? pg_isready\b/);
    for (const name of instances) {
      const test = services[name]?.healthcheck?.test ?? [];
      expect(test.slice(0, 2), name).toEqual(['CMD', 'node']);
      expect(test.join(' '), name).toContain(`127.0.0.1:${runtimeEnv.PORT}/readyz`);
      expect(test.join(' '), name).not.toMatch(/\b(curl|wget)\b/);
      expect(seconds(services[name]?.healthcheck?.start_period), name).toBeGreaterThan(0);
    }
    // The same check as the image's own.
    expect(services[instances[0] as string]?.healthcheck?.test?.slice(1).join(' ')).toBe(
      healthcheck.exec?.join(' ').replace(`'+(process.env.PORT||8080)+'`, runtimeEnv.PORT as string),
    );
  });

  it('migrates once before the instances start, and starts Caddy once they are healthy', () => {
    const migrate = services.migrate as ComposeService;
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on?.postgres?.condition).toBe('service_healthy');
    for (const name of instances) {
      expect(services[name]?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
      expect(services[name]?.depends_on?.postgres?.condition, name).toBe('service_healthy');
      expect(services.caddy?.depends_on?.[name]?.condition, name).toBe('service_healthy');
    }
  });

  it('runs every instance and the migration from the same image, database and SECRET_KEY', () => {
    const otpbox = [...instances, 'migrate'].map((name) => services[name] as ComposeService);
    for (const field of ['image', 'build'] as const) expect(new Set(otpbox.map((s) => JSON.stringify(s[field]))).size, field).toBe(1);
    for (const name of ['DATABASE_URL', 'SECRET_KEY', 'PUBLIC_URL', 'TRUST_PROXY'])
      expect(new Set(otpbox.map((s) => s.environment?.[name])).size, name).toBe(1);
  });

  it('names only variables otpbox reads (src/config.ts)', () => {
    for (const name of [...instances, 'migrate'])
      for (const variable of Object.keys(services[name]?.environment ?? {}))
        expect(CONFIG_NAMES.has(variable), `${name}: ${variable}`).toBe(true);
  });

  it('holds no secret: each is required from .env, and the example`s placeholder is refused by otpbox', () => {
    for (const name of Object.keys(services))
      for (const [variable, value] of Object.entries(services[name]?.environment ?? {}))
        if (SECRET_NAME.test(variable)) expect(value, `${name}: ${variable}`).toMatch(/^\$\{\w+(:[-?][^}]*)?\}$/);
    const env = services[instances[0] as string]?.environment as Env;
    expect(env.SECRET_KEY).toMatch(/^\$\{SECRET_KEY:\?/);
    expect(env.DATABASE_URL).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
    expect(() => interpolate(env.SECRET_KEY as string, {})).toThrow(/SECRET_KEY/);

    const example = envFile('deploy/compose.env.example');
    const interpolated = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, example)]));
    const refused = (() => {
      try {
        loadConfig(interpolated);
      } catch (error) {
        return error instanceof ConfigError ? error.problems.map((p) => p.variable) : [];
      }
      return [];
    })();
    expect(refused).toEqual(['SECRET_KEY']);
  });

  it('gives otpbox a valid configuration once .env is filled in, behind one trusted proxy hop', () => {
    const filled = { ...envFile('deploy/compose.env.example'), SECRET_KEY: SAMPLE_SECRET, POSTGRES_PASSWORD: 'b'.repeat(48) };
    for (const name of [...instances, 'migrate']) {
      const env = Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(v, filled)]));
      const config = loadConfig(env);
      expect(config.databaseUrl).toBe(`postgres://otpbox:${'b'.repeat(48)}@postgres:5432/otpbox`);
      expect(config.publicUrl).toBe('https://localhost');
      expect(config.secureCookies).toBe(true);
      // Caddy is the edge (it trusts no incoming X-Forwarded-For, see below): exactly one hop.
      expect(config.trustProxy).toBe(1);
    }
  });

  it('gives each instance longer to stop than its drain budget', () => {
    for (const name of instances) {
      const budgetS = Number(services[name]?.environment?.SHUTDOWN_TIMEOUT_MS) / 1000;
      // otpbox forces its exit 2 s after the budget (handleSignals in src/main.ts).
      expect(seconds(services[name]?.stop_grace_period), name).toBeGreaterThan(budgetS + 2);
    }
  });
});

describe('deploy/Caddyfile', () => {
  const proxy = caddyDirectives.find((line) => line.startsWith('reverse_proxy ')) ?? '';

  it('balances over every otpbox instance of compose.yaml, on the port the image listens on', () => {
    expect(proxy.split(' ').slice(1, -1).sort()).toEqual(instances.map((name) => `${name}:${runtimeEnv.PORT}`).sort());
  });

  it('passes Server-Sent Events unbuffered, and takes draining or unready instances out by /readyz', () => {
    expect(caddyDirectives).toContain('flush_interval -1');
    expect(caddyDirectives).toContain('health_uri /readyz');
    // Compression could hold back bytes of an event stream.
    expect(caddyDirectives.some((line) => line.startsWith('encode'))).toBe(false);
  });

  it('trusts no incoming X-Forwarded-For (Caddy is the edge), consistent with TRUST_PROXY=1', () => {
    expect(caddyDirectives.some((line) => line.startsWith('trusted_proxies'))).toBe(false);
    expect(services[instances[0] as string]?.environment?.TRUST_PROXY).toBe('1');
  });

  it('is mounted by compose and serves the domain PUBLIC_URL names', () => {
    expect(services.caddy?.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddyDirectives).toContain('{$OTPBOX_DOMAIN:localhost} {');
    // Compose's interpolation, not JavaScript's.
    expect(services[instances[0] as string]?.environment?.PUBLIC_URL).toBe(`https://$\{OTPBOX_DOMAIN:-localhost}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, checked field by field
type Manifest = Record<string, any>;
const K8S = 'deploy/kubernetes';
const manifestFiles = readdirSync(path.join(ROOT, K8S)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
const manifests = new Map<string, Manifest[]>(
  manifestFiles.map((file) => {
    const documents = parseAllDocuments(read(`${K8S}/${file}`));
    for (const document of documents) if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return [file, documents.map((document) => document.toJS() as Manifest).filter(Boolean)];
  }),
);
const kustomization = parseYaml(read(`${K8S}/kustomization.yaml`)) as { resources: string[]; namespace: string; images: Manifest[] };
const applied = kustomization.resources.flatMap((file) => manifests.get(file) ?? []);
const one = (kind: string) => {
  const found = applied.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Manifest;
};
const examples = (kind: string) => [...manifests.values()].flat().filter((m) => m.kind === kind);
const configMapData = (): Env => one('ConfigMap').data;
const secretData = (): Env => (examples('Secret')[0] as Manifest).stringData;

describe('Kubernetes manifests', () => {
  it('parse, and the kustomization applies every manifest but the examples (secret, ingress)', () => {
    expect([...manifests.values()].flat().every((m) => typeof m.apiVersion === 'string' && typeof m.kind === 'string')).toBe(true);
    expect(kustomization.resources.sort()).toEqual(manifestFiles.filter((file) => !file.includes('.example.')).sort());
    expect(applied.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Job', 'Namespace', 'PodDisruptionBudget', 'Service']);
    expect(examples('Secret')).toHaveLength(1);
    expect(examples('Ingress')).toHaveLength(1);
    expect(kustomization.images.map((image) => image.name)).toEqual(['otpbox']);
  });

  const deployment = () => one('Deployment');
  const pod = () => deployment().spec.template.spec;
  const container = () => pod().containers[0] as Manifest;

  it('runs two or more replicas, rolling one new pod in before an old one stops', () => {
    expect(deployment().spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment().spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(container().args).toEqual(['start']);
    expect(container().image).toBe('otpbox');
  });

  it('runs as the image`s non-root user, read-only, without privileges', () => {
    for (const spec of [pod(), one('Job').spec.template.spec]) {
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(String(spec.securityContext.runAsUser)).toBe(runtimeUser.split(':')[0]);
      const c = spec.containers[0];
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      // The one writable place; DATA_DIR stays the image's own folder (an emptyDir there would be root's).
      expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(spec.volumes.find((v: Manifest) => v.name === 'tmp').emptyDir).toBeDefined();
      expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory).toBeTruthy();
    }
  });

  it('probes readiness and start-up on /readyz, liveness on /healthz, on the container`s port', () => {
    const port = container().ports[0];
    expect(String(port.containerPort)).toBe(runtimeEnv.PORT);
    for (const [probe, path] of [
      ['readinessProbe', '/readyz'],
      ['startupProbe', '/readyz'],
      ['livenessProbe', '/healthz'],
    ] as const) {
      expect(container()[probe]?.httpGet?.path, probe).toBe(path);
      expect(container()[probe]?.httpGet?.port, probe).toBe(port.name);
    }
  });

  it('leaves the endpoints before draining, and gives the drain its whole budget', () => {
    const sleep = container().lifecycle.preStop.exec.command as string[];
    expect(sleep[0]).toBe('sleep');
    const budgetS = Number(configMapData().SHUTDOWN_TIMEOUT_MS) / 1000;
    expect(pod().terminationGracePeriodSeconds).toBeGreaterThan(Number(sleep[1]) + budgetS + 2);
  });

  it('reads its settings from the ConfigMap and the Secret, which name only otpbox variables', () => {
    for (const spec of [pod(), one('Job').spec.template.spec])
      expect(spec.containers[0].envFrom).toEqual([
        { configMapRef: { name: one('ConfigMap').metadata.name } },
        { secretRef: { name: (examples('Secret')[0] as Manifest).metadata.name } },
      ]);
    for (const name of [...Object.keys(configMapData()), ...Object.keys(secretData())]) expect(CONFIG_NAMES.has(name), name).toBe(true);
    expect(Object.keys(secretData()).sort()).toEqual(['DATABASE_URL', 'SECRET_KEY']);
    for (const name of Object.keys(configMapData())) expect(name, 'a secret in the ConfigMap').not.toMatch(SECRET_NAME);
  });

  it('holds no real secret: otpbox refuses both placeholders, and accepts real values', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...configMapData(), ...secretData() });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems.map((p) => p.variable).sort();
    }
    expect(problems).toEqual(['DATABASE_URL', 'SECRET_KEY']);
    const config = loadConfig({ ...configMapData(), SECRET_KEY: SAMPLE_SECRET, DATABASE_URL: 'postgres://otpbox:pw@db:5432/otpbox' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.trustProxy).toBe(1);
    expect(config.secureCookies).toBe(true);
  });

  it('migrates by a Job running `otpbox migrate` once', () => {
    const job = one('Job');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    expect(job.spec.template.spec.containers[0].image).toBe('otpbox');
  });

  it('selects the pods by their labels from the Service and the PodDisruptionBudget (min 1 available)', () => {
    const labels = deployment().spec.template.metadata.labels;
    expect(deployment().spec.selector.matchLabels).toEqual(labels);
    expect(one('Service').spec.selector).toEqual(labels);
    expect(one('Service').spec.ports[0].targetPort).toBe(container().ports[0].name);
    const pdb = one('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
  });

  it('shows an ingress-nginx Ingress that passes event streams unbuffered, with long timeouts', () => {
    const ingress = examples('Ingress')[0] as Manifest;
    const annotations = ingress.metadata.annotations as Env;
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: one('Service').metadata.name, port: { name: one('Service').spec.ports[0].name } });
    expect(new URL(configMapData().PUBLIC_URL as string).host).toBe(ingress.spec.rules[0].host);
  });
});

// ---------------------------------------------------------------------------------------------
// The runtime stage, rehearsed without a container

const folders: { remove(): Promise<void> }[] = [];
afterAll(async () => {
  for (const folder of folders) await folder.remove();
});

/** The runtime stage's files in a folder of their own: what its COPY lines take (node_modules linked). */
async function stageRuntime(): Promise<string> {
  const folder = await tempDir('otpbox-image-');
  folders.push(folder);
  const buildDir = workdir(stage('build') as Stage);
  for (const copy of copies) {
    const target = path.join(folder.path, copy.target);
    mkdirSync(path.dirname(target), { recursive: true });
    const source = path.join(ROOT, path.posix.relative(copy.from === 'build' ? buildDir : workdir(stage('deps') as Stage), copy.source));
    // The production tree cannot be made here without the registry: the installed one stands in
    // (the bundle's imports are checked against the production dependencies above).
    if (copy.from === 'deps') symlinkSync(source, target, 'dir');
    else cpSync(source, target, { recursive: true });
  }
  return folder.path;
}

interface Run {
  output(): string;
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}
/** A command of the image (exec form), `node` being this Node. */
function run(argv: string[], cwd: string, env: Env): Run {
  const [program, ...args] = argv;
  const child = spawn(program === 'node' ? process.execPath : (program as string), args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}

async function untilReady(url: string, server: Run, timeoutMs = 45_000): Promise<void> {
  let exited: number | string | undefined;
  void server.exited.then((code) => {
    exited = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`exited (${exited}) before it was ready:\n${server.output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not ready after ${timeoutMs} ms:\n${server.output()}`);
}

describe('the runtime stage, run from its files alone', () => {
  it('starts with the image`s entry point on its own database, passes its health check, and stops on its stop signal', async () => {
    const app = await stageRuntime();
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    const port = String(await freePort());
    const env = { ...runtimeEnv, PORT: port, DATA_DIR: path.join(app, 'data') };
    const check = () => run(healthcheck.exec as string[], app, env).exited;

    expect(await check()).toBe(1); // nothing listens yet: unhealthy
    const server = run([...entrypoint, ...cmd], app, env);
    try {
      await untilReady(`http://127.0.0.1:${port}`, server);
      expect(await check()).toBe(0);
      // The web app from web/dist, and the server from dist/ (no sources to fall back on).
      expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toContain('<title>otpbox');
      expect(server.output()).toContain('"engine":"pglite"');
      server.kill(last(runtime, 'STOPSIGNAL') as NodeJS.Signals);
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutdown complete');
    } finally {
      server.kill('SIGKILL');
    }
  }, 90_000);

  it.runIf(onPostgres())(
    'on PostgreSQL as compose runs it: the migration once, then two instances on one database and one SECRET_KEY',
    async () => {
      const app = await stageRuntime();
      const database = await createEmptyPostgresDatabase();
      const servers: Run[] = [];
      try {
        const shared = { ...runtimeEnv, DATABASE_URL: database.url, SECRET_KEY: SAMPLE_SECRET, TRUST_PROXY: '1' };
        const migrate = run([...entrypoint, ...(services.migrate?.command ?? [])], app, { ...shared, DATA_DIR: path.join(app, 'migrate') });
        expect(await migrate.exited, migrate.output()).toBe(0);
        expect(migrate.output()).toMatch(/^Applied \d+ migration\(s\) on postgres/m);

        const ports: string[] = [];
        for (const name of instances.slice(0, 2)) {
          const port = String(await freePort());
          ports.push(port);
          servers.push(run([...entrypoint, ...cmd], app, { ...shared, PORT: port, DATA_DIR: path.join(app, name) }));
        }
        await Promise.all(servers.map((server, i) => untilReady(`http://127.0.0.1:${ports[i]}`, server)));
        for (const [i, port] of ports.entries()) {
          expect(await run(healthcheck.exec as string[], app, { ...runtimeEnv, PORT: port }).exited).toBe(0);
          // Nothing left to migrate when they started: the job did it.
          expect(servers[i]?.output()).not.toContain('applied database migrations');
        }
        for (const server of servers) server.kill('SIGTERM');
        expect(await Promise.all(servers.map((server) => server.exited))).toEqual([0, 0]);
      } finally {
        for (const server of servers) server.kill('SIGKILL');
        await database.drop();
      }
    },
    120_000,
  );
});
