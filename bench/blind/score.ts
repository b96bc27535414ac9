/**
 * Blind evaluation: generates labelled datasets with the independent generator (SPEC.md), runs the
 * product's command line on them exactly as a user would, and scores its JSON findings.
 * Usage: tsx bench/blind/score.ts [--seeds 1,2] [--keep] [--identities N] [--days N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { generate } from './generate.js';
import type { Label } from './model.js';
import { scoreSeed } from './score-seed.js';
import type { Finding, ManifestIdentity, SeedScore } from './score-seed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs `scan --input <dir> --json` on a fresh embedded database; returns the findings and the summary line. */
export async function runScan(logDir: string, pgliteDir: string): Promise<{ findings: Finding[]; summary: Record<string, unknown>; seconds: number }> {
  const began = Date.now();
  // A fresh embedded database and no organisation settings: what a new user gets.
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: pgliteDir };
  for (const name of ['DATABASE_URL', 'SETTINGS_FILE', 'KNOWN_NETWORKS', 'ALLOWLIST', 'LEARNING_DAYS']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'scan', '--input', logDir, '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const findings: Finding[] = [];
  let lastErr = '';
  let errTail = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim()) findings.push(JSON.parse(line) as Finding);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.trim()) lastErr = line;
    errTail = (errTail + line + '\n').slice(-4000);
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  if (code !== 0) throw new Error(`scan exited with ${code}: ${errTail}`);
  return { findings, summary: JSON.parse(lastErr) as Record<string, unknown>, seconds: (Date.now() - began) / 1000 };
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const rate = (n: number, d: number) => (d ? (n / d).toFixed(2) : '-');

async function main(): Promise<void> {
  const seeds = (arg('seeds') ?? '1,2').split(',').map(Number);
  const keep = process.argv.includes('--keep');
  const identities = Number(arg('identities') ?? 80);
  const days = Number(arg('days') ?? 30);
  const results: { seed: number; score: SeedScore; identityDays: number; events: number; gen: number; scan: number; rejected: number }[] = [];
  for (const seed of seeds) {
    const dir = mkdtempSync(join(tmpdir(), `blind-${seed}-`));
    try {
      const g = generate({ seed, out: join(dir, 'data'), identities, days });
      const scan = await runScan(g.logDir, join(dir, 'pglite'));
      const labels = JSON.parse(readFileSync(g.labelsFile, 'utf8')) as { incidents: Label[]; expectedQuiet: Label[] };
      const manifest = JSON.parse(readFileSync(g.manifestFile, 'utf8')) as { identities: ManifestIdentity[] };
      const score = scoreSeed(scan.findings, labels.incidents, labels.expectedQuiet, manifest.identities);
      results.push({ seed, score, identityDays: g.identityDays, events: g.events.total, gen: g.seconds, scan: scan.seconds, rejected: Number(scan.summary.rejected ?? 0) });
      console.log(`seed ${seed}: ${g.events.total.toLocaleString('en-US')} events, ${g.identityDays} identity-days, generated in ${g.seconds.toFixed(0)} s, scanned in ${scan.seconds.toFixed(0)} s (${String(scan.summary.events)} events read, ${String(scan.summary.rejected)} rejected), ${scan.findings.length} findings (${score.counting} medium+)${keep ? `; kept in ${dir}` : ''}`);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  const all = results.flatMap((r) => r.score.incidents);
  const group = <T>(items: T[], key: (t: T) => string) => {
    const m = new Map<string, T[]>();
    for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  };
  const recallBy = (key: (i: (typeof all)[number]) => string) => Object.fromEntries(group(all, key).map(([k, v]) => [k, { caught: v.filter((i) => i.caught).length, total: v.length }]));
  const byKind = recallBy((i) => i.label.kind);
  const byCloud = recallBy((i) => i.label.cloud);
  const identityDays = results.reduce((s, r) => s + r.identityDays, 0);
  const fas = results.flatMap((r) => r.score.falseAlarms);
  const per1000 = (n: number) => Number(((n / identityDays) * 1000).toFixed(2));
  const faByDetector = Object.fromEntries(group(fas, (f) => f.finding.detector).map(([k, v]) => [k, per1000(v.length)]));
  const faCountByDetector = Object.fromEntries(group(fas, (f) => f.finding.detector).map(([k, v]) => [k, v.length]));
  const faByEpisode = Object.fromEntries(group(fas, (f) => f.episodes.join('+') || 'none').map(([k, v]) => [k, per1000(v.length)]));

  console.log('\nrecall by incident kind (caught / planted)          aws   gcp   azure');
  for (const [kind, items] of group(all, (i) => i.label.kind)) {
    const cell = (c: string) => {
      const x = items.filter((i) => i.label.cloud === c);
      return x.length ? `${x.filter((i) => i.caught).length}/${x.length}` : '-';
    };
    const caught = items.filter((i) => i.caught).length;
    console.log(`  ${pad(kind, 28)} ${pad(`${caught}/${items.length}`, 8)} ${pad(rate(caught, items.length), 12)} ${pad(cell('aws'), 5)} ${pad(cell('gcp'), 5)} ${cell('azure')}`);
  }
  const seedOf = (i: (typeof all)[number]) => results.find((r) => r.score.incidents.includes(i))?.seed;
  for (const i of all.filter((x) => !x.caught)) {
    console.log(`  missed: seed ${seedOf(i)} ${i.label.id} ${i.label.identity} ${i.label.start}${i.lowBy.length ? ` (below medium: ${[...new Set(i.lowBy)].join(', ')})` : ''}`);
  }
  console.log(`\nfalse alarms (medium+): ${fas.length} in ${identityDays} identity-days = ${per1000(fas.length)} per 1,000 identity-days`);
  console.log('  per 1,000 identity-days by detector:', Object.entries(faByDetector).map(([k, v]) => `${k} ${v} (${faCountByDetector[k]})`).join(', ') || 'none');
  console.log('  per 1,000 identity-days by ordinary-life episode overlapped:', Object.entries(faByEpisode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none');
  if (process.argv.includes('--verbose')) {
    for (const f of fas) console.log(`    ${f.finding.severity} ${f.finding.detector} ${f.finding.cloud} ${f.identity} ${f.finding.start} [${f.episodes.join(',')}] ${f.finding.title ?? ''}`);
  }
  const caught = all.filter((i) => i.caught).length;
  console.log(JSON.stringify({
    blind: {
      seeds, identities, days, events: results.reduce((s, r) => s + r.events, 0), rejected: results.reduce((s, r) => s + r.rejected, 0),
      incidents: all.length, caught, recall: Number(rate(caught, all.length)), recallByKind: byKind, recallByCloud: byCloud,
      identityDays, falseAlarms: fas.length, falseAlarmsPer1000IdentityDays: per1000(fas.length), falseAlarmsByDetector: faCountByDetector, falseAlarmsPer1000ByDetector: faByDetector, falseAlarmsPer1000ByEpisode: faByEpisode,
      seconds: { generate: Number(results.reduce((s, r) => s + r.gen, 0).toFixed(1)), scan: Number(results.reduce((s, r) => s + r.scan, 0).toFixed(1)) },
    },
  }));
}

await main();
