/**
 * The deployment artefacts cannot run here (no container engine, no cluster), so this checks what
 * can be checked statically, against the real server and CLI: every manifest parses; probe paths
 * are routes of the server and probe ports the port `serve` is told to listen on; every env var
 * is one the server reads (or one the container's own script uses); every `waymark` invocation
 * uses a real subcommand and real options; the image's command runs `waymark serve`; the grace
 * period outlasts the request timeout; memory requests follow the README's sizing formula.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerBuild } from '../src/cli/build.js';
import { registerInfo } from '../src/cli/info.js';
import { registerServe } from '../src/cli/serve.js';
import { WaymarkServer } from '../src/server/app.js';
import { defaultConfig } from '../src/server/config.js';
import { repoRoot, tempDir } from './helpers.js';

type Obj = Record<string, any>;
interface Manifest {
  file: string;
  doc: Obj;
}

function walk(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, ext) : ext.test(f) ? [p] : [];
  });
}

const deployDir = join(repoRoot, 'deploy');
const manifests: Manifest[] = walk(deployDir, /\.ya?ml$/).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${relative(repoRoot, file)}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { file: relative(deployDir, file), doc: d.toJS() as Obj };
  }),
);
const byKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);

/** Every process.env.X the server's source reads. */
function envReadBySource(): Set<string> {
  const names = new Set<string>();
  for (const file of walk(join(repoRoot, 'src'), /\.ts$/)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[['"]([A-Z0-9_]+)['"]\])/g)) names.add(m[1] ?? m[2]);
  }
  return names;
}

/** The real CLI's subcommands and their long options. */
function cliOptions(): Map<string, Set<string>> {
  const program = new Command();
  registerServe(program);
  registerBuild(program);
  registerInfo(program);
  return new Map(program.commands.map((c) => [c.name(), new Set(c.options.flatMap((o) => [o.long!, ...(o.short ? [o.short] : [])]))]));
}

/** Checks one `waymark <sub> <args...>` invocation against the CLI; returns the subcommand. */
function checkInvocation(where: string, argv: string[], cli: Map<string, Set<string>>): string {
  const [sub, ...rest] = argv;
  const options = cli.get(sub);
  assert.ok(options, `${where}: \`waymark ${sub}\` is not a subcommand`);
  for (const a of rest) {
    if (!a.startsWith('-')) continue;
    const flag = a.split('=')[0];
    assert.ok(options.has(flag), `${where}: \`waymark ${sub}\` has no option ${flag}`);
  }
  return sub;
}

function optionValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Kubernetes quantities in bytes (Ki, Mi, Gi, k, M, G). */
function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  assert.ok(m, `not a quantity: ${q}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as 'Ki'] ?? 1;
  return Number(m[1]) * unit;
}

/** The final stage's ENTRYPOINT + CMD of the Dockerfile, and the stages. */
function dockerfile(): { stages: { name: string; lines: string[] }[]; entrypoint: string[]; cmd: string[]; workdir: string } {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: { name: string; lines: string[] }[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[1] ?? String(stages.length), lines: [] });
    else stages.at(-1)!.lines.push(line);
  }
  const last = stages.at(-1)!;
  const json = (instr: string) => {
    const l = last.lines.filter((x) => x.toUpperCase().startsWith(instr + ' ')).at(-1);
    return l ? (JSON.parse(l.slice(instr.length + 1)) as string[]) : [];
  };
  const workdir = last.lines.filter((x) => /^WORKDIR /i.test(x)).at(-1)?.slice(8).trim() ?? '/';
  return { stages, entrypoint: json('ENTRYPOINT'), cmd: json('CMD'), workdir };
}

function podSpecs(): { m: Manifest; spec: Obj; labels: Obj }[] {
  return manifests
    .filter((m) => m.doc.kind === 'Deployment' || m.doc.kind === 'Job')
    .map((m) => ({ m, spec: m.doc.spec.template.spec, labels: m.doc.spec.template.metadata?.labels ?? {} }));
}

const matches = (selector: Obj, labels: Obj) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deployment artefacts (static checks)', () => {
  let server: WaymarkServer;
  const dataDir = tempDir('waymark-deploy-');
  const cli = cliOptions();
  const docker = dockerfile();
  /** What runs in our image: the ENTRYPOINT resolved to the repo's bin/waymark.js. */
  const waymarkBin = docker.entrypoint.at(-1)!;

  before(async () => {
    // The real app with every route registered (no maps needed to list routes).
    server = new WaymarkServer({ ...defaultConfig({}), dataDir, logLevel: 'silent' });
    await server.app.ready();
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every manifest parses and names its kind', () => {
    assert.ok(manifests.length >= 10, `found ${manifests.length} manifests`);
    for (const { file, doc } of manifests) {
      assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${file}: apiVersion, kind, metadata.name`);
    }
    for (const kind of ['Job', 'Deployment', 'Service', 'PodDisruptionBudget', 'PersistentVolumeClaim', 'Secret']) {
      assert.ok(byKind(kind).length > 0, `a ${kind}`);
    }
    assert.equal(byKind('Deployment').length, 3, 'in-place, blue and green');
  });

  it('the image is multi-stage, ships what the build produces, and its command runs `waymark serve`', () => {
    assert.ok(docker.stages.length >= 2, 'build and runtime stages');
    const [build, runtime] = [docker.stages[0], docker.stages.at(-1)!];
    for (const line of build.lines.filter((l) => /^COPY /i.test(l))) {
      for (const src of line.split(/\s+/).slice(1, -1)) assert.ok(existsSync(join(repoRoot, src)), `COPY ${src} exists in the repository`);
    }
    assert.ok(build.lines.some((l) => l.includes('scripts/setup.mjs --build-only')), 'the build stage builds the addon and TypeScript');
    assert.ok(runtime.lines.some((l) => /apt-get install .*osmium-tool/.test(l)), 'the runtime has osmium-tool');
    for (const line of runtime.lines.filter((l) => /^COPY --from=/i.test(l))) {
      const src = line.split(/\s+/)[2].replace(/^\/app\//, '');
      assert.ok(existsSync(join(repoRoot, src)), `${src} is produced by the build`);
    }
    assert.equal(join(docker.workdir, 'bin', 'waymark.js'), waymarkBin, 'the ENTRYPOINT is the waymark command');
    assert.deepEqual(docker.entrypoint[0], 'node');
    assert.equal(checkInvocation('Dockerfile CMD', docker.cmd, cli), 'serve');
    assert.equal(optionValue(docker.cmd, '--host'), '0.0.0.0', 'listens beyond loopback in a container');
  });

  it('the CLI loads with production dependencies only (the image runs `npm prune --omit=dev`)', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const prod = new Set(Object.keys(pkg.dependencies));
    // Static imports reachable from the compiled CLI entry; dynamic import() is loaded on use only.
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.')) visit(join(file, '..', spec));
        else if (!spec.startsWith('node:')) bare.set(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0], relative(repoRoot, file));
      }
    };
    visit(join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
    assert.ok(seen.size > 20 && bare.has('fastify') && bare.has('commander'), `walked ${seen.size} modules`);
    for (const [name, from] of bare) assert.ok(prod.has(name), `${from} imports ${name}, which is not a production dependency`);
  });

  it('every container runs a real waymark command with real options; servers run `waymark serve`', () => {
    let serving = 0;
    for (const { m, spec } of podSpecs()) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        if (!String(c.image).includes('waymark')) continue;
        const where = `${m.file} ${c.name}`;
        if (c.command) {
          // A script: every `node <bin> <sub> ...` line in it.
          const script = [...c.command, ...(c.args ?? [])].join('\n');
          const calls = [...script.matchAll(new RegExp(`node ${waymarkBin.replace(/\//g, '\\/')} ([^\\n;|&>]+)`, 'g'))];
          assert.ok(calls.length > 0, `${where}: runs waymark`);
          for (const call of calls) checkInvocation(where, call[1].trim().split(/\s+/), cli);
        } else {
          // The image's ENTRYPOINT with these args (they replace CMD).
          const args = c.args ?? docker.cmd;
          assert.equal(checkInvocation(where, args, cli), 'serve', `${where}: runs waymark serve`);
          serving++;
        }
      }
    }
    assert.equal(serving, 3);
  });

  it('probes hit real server routes on the port serve listens on; Services target it', () => {
    for (const { m, spec } of podSpecs().filter((p) => p.m.doc.kind === 'Deployment')) {
      const c = spec.containers.find((x: Obj) => !x.command);
      const port = Number(optionValue(c.args, '--port') ?? 5000);
      const portByName = new Map<string, number>(c.ports.map((p: Obj) => [p.name, p.containerPort]));
      assert.ok([...portByName.values()].includes(port), `${m.file}: the container port is serve's --port`);
      const probes = { readinessProbe: '/health/ready', livenessProbe: '/health/live' } as const;
      for (const [probe, expected] of Object.entries(probes)) {
        const get = c[probe]?.httpGet;
        assert.ok(get, `${m.file}: ${probe}`);
        assert.equal(get.path, expected, `${m.file}: ${probe} path`);
        assert.ok(server.app.hasRoute({ method: 'GET', url: get.path }), `${m.file}: GET ${get.path} is a server route`);
        const probePort = typeof get.port === 'number' ? get.port : portByName.get(get.port);
        assert.equal(probePort, port, `${m.file}: ${probe} port`);
      }
    }
    for (const svc of byKind('Service')) {
      const dir = svc.file.split('/').slice(0, -1).join('/');
      const targets = podSpecs().filter((p) => p.m.file.startsWith(dir) && matches(svc.doc.spec.selector, p.labels));
      assert.equal(targets.length, 1, `${svc.file}: the selector picks one Deployment`);
      for (const p of svc.doc.spec.ports) {
        const c = targets[0].spec.containers.find((x: Obj) => !x.command);
        assert.ok(c.ports.some((cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `${svc.file}: targetPort ${p.targetPort}`);
      }
    }
  });

  it('env vars are ones the server reads (or the container script uses); secrets and volumes exist', () => {
    const serverEnv = envReadBySource();
    assert.ok(serverEnv.has('WAYMARK_JOBS_URL') && serverEnv.has('WAYMARK_ADMIN_TOKEN'), `server env: ${[...serverEnv]}`);
    const secrets = new Map(byKind('Secret').map((s) => [s.doc.metadata.name, new Set(Object.keys({ ...s.doc.stringData, ...s.doc.data }))]));
    const claims = new Set(byKind('PersistentVolumeClaim').map((p) => p.doc.metadata.name));
    for (const { m, spec } of podSpecs()) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const script = [...(c.command ?? []), ...(c.args ?? [])].join('\n');
        for (const e of c.env ?? []) {
          const used = new RegExp(`\\$\\(?\\{?${e.name}\\b`).test(script);
          assert.ok(serverEnv.has(e.name) || used, `${m.file} ${c.name}: ${e.name} is neither read by the server nor used by the container`);
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) assert.ok(ref.optional || secrets.get(ref.name)?.has(ref.key), `${m.file}: secret ${ref.name}/${ref.key} is defined`);
          if (ref?.optional) assert.ok(secrets.get(ref.name)?.has(ref.key), `${m.file}: the example secret documents ${ref.key}`);
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.persistentVolumeClaim) assert.ok(claims.has(v.persistentVolumeClaim.claimName), `${m.file}: PVC ${v.persistentVolumeClaim.claimName}`);
      }
    }
  });

  it('graceful termination outlasts preStop plus the request timeout; resources follow the memory formula', () => {
    for (const { m, spec } of podSpecs().filter((p) => p.m.doc.kind === 'Deployment')) {
      const c = spec.containers.find((x: Obj) => !x.command);
      const timeoutS = Number(optionValue(c.args, '--timeout') ?? defaultConfig({}).requestTimeoutMs) / 1000;
      const preStop = c.lifecycle?.preStop?.exec?.command ?? [];
      const pauseS = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      assert.ok(spec.terminationGracePeriodSeconds > pauseS + timeoutS, `${m.file}: grace ${spec.terminationGracePeriodSeconds} s > ${pauseS} + ${timeoutS} s`);

      const notes = m.doc.metadata.annotations;
      const workers = Number(optionValue(c.args, '--workers'));
      assert.ok(workers >= 1, `${m.file}: --workers is explicit (the formula needs it)`);
      const MiB = 1024 ** 2;
      const formula = Number(notes['waymark.dev/map-bytes']) + workers * 20 * MiB + workers * Number(notes['waymark.dev/segments']) * (64 + 24) + 16 * MiB;
      assert.ok(formula > 0);
      const request = bytes(c.resources.requests.memory);
      const limit = bytes(c.resources.limits.memory);
      assert.ok(request >= formula, `${m.file}: memory request ${request} >= formula ${formula}`);
      assert.ok(request <= formula * 1.5, `${m.file}: memory request ${request} is not wildly above the formula ${formula}`);
      assert.ok(limit > request, `${m.file}: a limit above the request for peaks`);
      assert.ok(bytes(String(c.resources.requests.cpu)) >= 1, `${m.file}: a CPU request`);
      assert.equal(m.doc.spec.strategy.rollingUpdate.maxUnavailable, 0, `${m.file}: rolling updates never drop below the replica count`);
    }
  });

  it('disruption budgets cover each Deployment; blue/green flips one Service between two Deployments', () => {
    const deployments = podSpecs().filter((p) => p.m.doc.kind === 'Deployment');
    for (const d of deployments) {
      const budgets = byKind('PodDisruptionBudget').filter((p) => matches(p.doc.spec.selector.matchLabels, d.labels));
      assert.equal(budgets.length, 1, `${d.m.file}: one PodDisruptionBudget`);
      assert.ok(budgets[0].doc.spec.maxUnavailable < d.m.doc.spec.replicas || budgets[0].doc.spec.minAvailable >= 1);
    }
    const svc = byKind('Service').find((s) => s.file.startsWith('k8s/blue-green/'))!;
    const script = readFileSync(join(deployDir, 'k8s', 'blue-green', 'switch.sh'), 'utf8');
    const patch = /-p "(\{.*\})"/.exec(script);
    assert.ok(patch, 'switch.sh patches the Service selector');
    const colours = deployments.filter((d) => d.m.file.startsWith('k8s/blue-green/'));
    assert.equal(colours.length, 2);
    const generations = new Set<string>();
    for (const colour of ['blue', 'green']) {
      const selector = JSON.parse(patch[1].replace(/\\"/g, '"').replace('$to', colour)).spec.selector as Obj;
      assert.deepEqual(Object.keys(selector).sort(), Object.keys(svc.doc.spec.selector).sort(), 'the patch replaces the whole selector');
      const target = colours.filter((d) => matches(selector, d.labels));
      assert.equal(target.length, 1, `switching to ${colour} selects exactly one Deployment`);
      assert.match(script, /rollout status "deployment\/waymark-\$to"/);
      assert.equal(target[0].m.doc.metadata.name, `waymark-${colour}`);
      generations.add(target[0].spec.initContainers[0].env.find((e: Obj) => e.name === 'MAP_GENERATION').value);
    }
    assert.equal(generations.size, 2, 'the colours serve different map generations');
  });
});
