import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Instructions of a Dockerfile (continuation lines joined), grouped by stage. */
function stages(dockerfile: string): { keyword: string; args: string }[][] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: { keyword: string; args: string }[][] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (keyword!.toUpperCase() === 'FROM') out.push([]);
    out.at(-1)!.push({ keyword: keyword!.toUpperCase(), args: args! });
  }
  return out;
}

function seconds(v: string): number {
  const m = /^(\d+)(s|m)?$/.exec(v)!;
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

type Probe = { httpGet: { path: string; port: string | number } };
type Container = {
  args: string[]; ports?: { name: string; containerPort: number }[]; startupProbe: Probe; readinessProbe: Probe; livenessProbe: Probe;
  lifecycle: { preStop: { exec: { command: string[] } } }; envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext: { allowPrivilegeEscalation: boolean };
};
type Manifest = {
  kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>;
  spec: {
    template: { spec: { terminationGracePeriodSeconds: number; securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] } };
    selector: Record<string, string>; ports: { name: string; targetPort: string }[];
  };
};

describe('Dockerfile', () => {
  const text = read('Dockerfile');

  it('passes dockerfile-utils with every check on (which does flag a broken file)', () => {
    expect(validate('FROM node:24\nRUN\nENTRYPOINT node a.js\nENTRYPOINT node b.js\n').length).toBeGreaterThan(0);
    expect(validate(text, { deprecatedMaintainer: 2, directiveCasing: 2, emptyContinuationLine: 2, instructionCasing: 2, instructionCmdMultiple: 2, instructionEntrypointMultiple: 2, instructionHealthcheckMultiple: 2, instructionJSONInSingleQuotes: 2, instructionWorkdirRelative: 2 })).toEqual([]);
  });

  it('builds in one stage and runs the compiled code on Node 24 as the non-root node user under tini, with a health check', () => {
    const [build, run] = stages(text);
    expect(build!.find((i) => i.keyword === 'FROM')!.args).toMatch(/^node:24-bookworm-slim AS build$/);
    expect(build!.some((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args))).toBe(true);
    expect(build!.some((i) => i.keyword === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    expect(run![0]!.args).toMatch(/^node:24-bookworm-slim\b/);
    expect(run!.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(run!.some((i) => i.keyword === 'COPY' && /--from=build \/app\/dist/.test(i.args))).toBe(true);
    const user = run!.filter((i) => i.keyword === 'USER');
    expect(user.at(-1)!.args).toBe('node');
    // The last USER is node, and it comes before the entry point.
    expect(run!.findIndex((i) => i.keyword === 'USER')).toBeLessThan(run!.findIndex((i) => i.keyword === 'ENTRYPOINT'));
    const entry = JSON.parse(run!.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    expect(entry).toEqual(['/usr/bin/tini', '--', 'node', 'dist/src/cli.js']);
    expect(run!.some((i) => i.keyword === 'RUN' && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    expect(JSON.parse(run!.find((i) => i.keyword === 'CMD')!.args)).toEqual(['serve']);
    expect(run!.find((i) => i.keyword === 'HEALTHCHECK')!.args).toMatch(/CMD \[.*\/healthz/);
    expect(run!.find((i) => i.keyword === 'EXPOSE')!.args.split(/\s+/).sort()).toEqual(['3000', '9464']);
  });
});

describe('docker-compose.yml', () => {
  it('passes dclint', async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [join(ROOT, 'node_modules/dclint/bin/dclint.cjs'), join(ROOT, 'docker-compose.yml'), '--max-warnings', '0', '--color', 'false'], (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr });
      });
    });
    expect(result.out.trim()).toBe('');
    expect(result.code).toBe(0);
  });

  it('runs Redis with AOF and noeviction, PostgreSQL with pg_isready, a web and two workers that wait for both and get time to drain', () => {
    type Service = { command?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; env_file?: string[]; environment?: Record<string, string>; deploy?: { replicas: number }; stop_grace_period?: string; image?: string };
    const { services } = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
    expect(services.redis!.image).toBe('redis:7');
    expect(services.redis!.command!.join(' ')).toMatch(/--appendonly yes/);
    expect(services.redis!.command!.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(services.postgres!.image).toBe('postgres:16');
    expect(services.postgres!.healthcheck!.test.join(' ')).toMatch(/pg_isready/);
    expect(services.web!.command).toEqual(['serve', '--no-workers']);
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.worker!.deploy!.replicas).toBe(2);
    for (const name of ['web', 'worker']) {
      const s = services[name]!;
      expect(s.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(s.env_file).toEqual(['.env']);
      expect(seconds(s.stop_grace_period!)).toBeGreaterThan(loadConfig({ SHUTDOWN_TIMEOUT: s.environment!.SHUTDOWN_TIMEOUT }).shutdownTimeout / 1000);
    }
  });
});

describe('deploy/kubernetes', () => {
  const dir = join(ROOT, 'deploy/kubernetes');
  const manifests = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Manifest;
    }));
  const byKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

  it('lists every manifest in its kustomization', () => {
    const { resources } = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(resources.sort()).toEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort());
  });

  it('has web and worker Deployments with startup, readiness and liveness probes on the ops port, a preStop pause, non-root, and time to drain', () => {
    const config = byKind('ConfigMap')[0]!;
    const deployments = byKind('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['storage-watch-web', 'storage-watch-worker']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      expect(c!.args).toEqual(d.metadata.name.endsWith('web') ? ['serve', '--no-workers'] : ['worker']);
      const ops = c!.ports!.find((p) => p.name === 'ops')!;
      expect(ops.containerPort).toBe(Number(config.data!.OPS_PORT));
      expect(c!.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c!.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(c!.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      const pause = Number(c!.lifecycle.preStop.exec.command[1]);
      expect(c!.lifecycle.preStop.exec.command[0]).toBe('sleep');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + loadConfig({ SHUTDOWN_TIMEOUT: config.data!.SHUTDOWN_TIMEOUT }).shutdownTimeout / 1000);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).not.toBe(0);
      expect(c!.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c!.envFrom).toEqual([{ configMapRef: { name: 'storage-watch' } }, { secretRef: { name: 'storage-watch' } }]);
    }
  });

  it('exposes the web pods\' chat endpoint in a Service, and keeps settings in a ConfigMap (a valid settings file) and secrets in a Secret', () => {
    const [service] = byKind('Service');
    expect(service!.spec.selector).toEqual({ 'app.kubernetes.io/name': 'storage-watch', 'app.kubernetes.io/component': 'web' });
    expect(service!.spec.ports.find((p) => p.name === 'http')!.targetPort).toBe('http');
    const web = byKind('Deployment').find((d) => d.metadata.name.endsWith('web'))!;
    expect(web.spec.template.spec.containers[0]!.ports!.map((p) => p.name)).toContain('http');
    const [secret] = byKind('Secret');
    expect(Object.keys(secret!.stringData!)).toEqual(expect.arrayContaining(['DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']));
    const config = byKind('ConfigMap')[0]!.data!;
    const tmp = mkdtempSync(join(tmpdir(), 'sw-k8s-'));
    try {
      writeFileSync(join(tmp, 'settings.json'), config['settings.json']!);
      const env = { ...config, ...secret!.stringData, SETTINGS_FILE: join(tmp, 'settings.json') };
      expect(loadConfig(env).detection.knownNetworks).toEqual(['10.0.0.0/8']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
