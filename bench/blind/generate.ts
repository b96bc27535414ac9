/**
 * Blind labelled scenario generator: a month of an organisation's storage audit logs over AWS, GCP and
 * Azure in the clouds' delivery layouts, with planted incidents and ordinary-life episodes (see SPEC.md).
 * Usage: tsx bench/blind/generate.ts --seed N --out DIR [--identities N --days N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DAY, HOUR, START_MS } from './calendar.js';
import { DeliveryWriter } from './delivery-writer.js';
import { humanDay } from './human-day.js';
import type { DayContext } from './human-day.js';
import { incidentCalls } from './incident-calls.js';
import type { Call, Cloud, Label } from './model.js';
import { buildOrganisation, principalNames } from './organisation.js';
import { makePlan } from './plan.js';
import { serviceDay } from './service-day.js';

/** Options of one generated dataset. */
export interface GenerateOptions {
  seed: number;
  out: string;
  identities?: number;
  days?: number;
}

/** What was written: where the logs, labels and manifest are, and how many records per cloud. */
export interface GenerateResult {
  logDir: string;
  labelsFile: string;
  manifestFile: string;
  events: Record<Cloud, number> & { total: number };
  identityDays: number;
  seconds: number;
}

const QUIET_KINDS = ['routine-secret-names', 'website-visitors', 'nightly-etl', 'private-rotation', 'scheduled-job'];

/** Generates one dataset: logs under `<out>/logs`, `labels.json` and `manifest.json` beside them. */
export function generate(opts: GenerateOptions): GenerateResult {
  const began = Date.now();
  const days = opts.days ?? 30;
  const identities = buildOrganisation(opts.seed, opts.identities ?? 80, days);
  const plan = makePlan(opts.seed, identities, days);
  const byKey = new Map(identities.map((i) => [i.key, i]));
  const ctx: DayContext = { seed: opts.seed, days, plan, identities: byKey };
  const logDir = join(opts.out, 'logs');
  mkdirSync(logDir, { recursive: true });
  const writer = new DeliveryWriter(logDir, opts.seed, byKey);
  const extents = new Map<string, { min: number; max: number }>();
  const active = new Map<string, Set<number>>();
  let buffer: Call[] = [];
  for (let day = 0; day < days; day++) {
    for (const id of identities) {
      const calls = id.kind === 'human' ? humanDay(ctx, id, day) : serviceDay(ctx, id, day);
      for (const incident of plan.byDay.get(id.key)?.get(day)?.incidents ?? []) calls.push(...incidentCalls(ctx, id, incident, day));
      if (calls.length) {
        const s = active.get(id.key) ?? new Set<number>();
        s.add(day);
        active.set(id.key, s);
      }
      for (const c of calls) {
        if (!c.tag) continue;
        const k = `${c.tag}|${c.cloud}`;
        const e = extents.get(k);
        if (!e) extents.set(k, { min: c.t, max: c.t });
        else {
          e.min = Math.min(e.min, c.t);
          e.max = Math.max(e.max, c.t);
        }
      }
      for (const c of calls) buffer.push(c);
    }
    // Everything before noon UTC of this day is complete: no time zone's next day starts earlier.
    const cutoff = day === days - 1 ? Infinity : START_MS + day * DAY + 12 * HOUR;
    buffer.sort((a, b) => a.t - b.t);
    const split = buffer.findIndex((c) => c.t >= cutoff);
    const ready = split < 0 ? buffer : buffer.slice(0, split);
    buffer = split < 0 ? [] : buffer.slice(split);
    writer.write(ready);
  }

  const iso = (ms: number) => new Date(ms).toISOString();
  const principal = (identity: string, cloud: Cloud) => principalNames(byKey.get(identity)!.clouds[cloud]!.who).primary;
  const incidents: Label[] = [];
  for (const inc of plan.incidents) {
    const e = extents.get(`${inc.id}|${inc.cloud}`);
    if (e) incidents.push({ id: inc.id, kind: inc.kind, cloud: inc.cloud, principal: principal(inc.identity, inc.cloud), identity: inc.identity, start: iso(e.min), end: iso(e.max) });
  }
  const expectedQuiet: Label[] = [];
  const planned = new Map(plan.episodes.map((e) => [e.id, e]));
  for (const e of plan.episodes) {
    if (!e.window) continue;
    for (const cloud of e.clouds) expectedQuiet.push({ id: e.id, kind: e.kind, cloud, principal: principal(e.identity, cloud), identity: e.identity, start: iso(e.window[0]), end: iso(e.window[1]) });
  }
  for (const [k, e] of extents) {
    const [tag, cloud] = k.split('|') as [string, Cloud];
    if (tag.startsWith('inc-')) continue;
    const ep = planned.get(tag);
    if (ep?.window) continue;
    const kind = ep?.kind ?? QUIET_KINDS.find((q) => tag.startsWith(`quiet-${q}-`)) ?? 'other';
    const identity = ep?.identity ?? (kind === 'website-visitors' ? 'public-anonymous' : tag.slice(`quiet-${kind}-`.length));
    expectedQuiet.push({ id: tag, kind, cloud, principal: principal(identity, cloud), identity, start: iso(e.min), end: iso(e.max) });
  }
  const identityDays = [...active.values()].reduce((s, d) => s + d.size, 0);
  const events = { ...writer.counts, total: writer.counts.aws + writer.counts.gcp + writer.counts.azure };
  const manifest = {
    seed: opts.seed, days, start: iso(START_MS), identityDays, events, files: writer.files,
    identities: identities.map((i) => ({
      key: i.key, team: i.team, kind: i.kind, timeZone: i.tz, firstDay: i.firstDay, lastDay: Math.min(i.lastDay, days - 1), activeDays: active.get(i.key)?.size ?? 0,
      clouds: Object.fromEntries(Object.entries(i.clouds).map(([c, u]) => [c, principalNames(u.who)])),
    })),
  };
  const labelsFile = join(opts.out, 'labels.json');
  const manifestFile = join(opts.out, 'manifest.json');
  writeFileSync(labelsFile, JSON.stringify({ seed: opts.seed, incidents, expectedQuiet }, null, 1));
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 1));
  return { logDir, labelsFile, manifestFile, events, identityDays, seconds: (Date.now() - began) / 1000 };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = arg('out');
  if (!out) {
    console.error('usage: tsx bench/blind/generate.ts --seed N --out DIR [--identities N --days N]');
    process.exit(2);
  }
  const r = generate({ seed: Number(arg('seed') ?? 1), out: resolve(out), identities: Number(arg('identities') ?? 80), days: Number(arg('days') ?? 30) });
  console.log(JSON.stringify(r));
}
