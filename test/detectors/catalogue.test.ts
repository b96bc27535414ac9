import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/detectors/index.js';
import { matching, runScenario, type Scenario } from '../helpers/scenario.js';

const fixtureFile = (id: string): string => fileURLToPath(new URL(`./fixtures/${id}.ts`, import.meta.url));

describe('detector catalogue', () => {
  it('every detector has a fixture file and its id matches its file name', () => {
    for (const d of DETECTORS) {
      expect(existsSync(fixtureFile(d.id)), `test/detectors/fixtures/${d.id}.ts`).toBe(true);
      expect(existsSync(fileURLToPath(new URL(`../../src/detectors/${d.id}.ts`, import.meta.url))), `src/detectors/${d.id}.ts`).toBe(true);
    }
    expect(new Set(DETECTORS.map((d) => d.id)).size).toBe(DETECTORS.length);
  });

  for (const d of DETECTORS) {
    describe(d.id, async () => {
      const fixtures = (await import(`./fixtures/${d.id}.ts`)) as { fires: Scenario[]; quiet: Scenario[] };
      it('has fixtures that must fire and fixtures that must stay quiet', () => {
        expect(fixtures.fires.length).toBeGreaterThan(0);
        expect(fixtures.quiet.length).toBeGreaterThan(0);
      });
      for (const s of fixtures.fires) {
        it(`fires: ${s.name}`, async () => {
          const hits = matching(await runScenario(s), d.id, s.severity ?? 'medium', s.from ?? 0);
          expect(hits.length, `no ${d.id} finding at ${s.severity ?? 'medium'} or above`).toBeGreaterThan(0);
          for (const h of hits) {
            expect(h.draft.title.length).toBeGreaterThan(10);
            expect(h.draft.summary.length).toBeGreaterThan(20);
            expect(h.draft.evidence.severityReason.length).toBeGreaterThan(5);
          }
        });
      }
      for (const s of fixtures.quiet) {
        it(`stays quiet: ${s.name}`, async () => {
          const hits = matching(await runScenario(s), d.id, s.severity ?? 'medium', s.from ?? 0);
          expect(hits.map((h) => `${h.draft.severity}: ${h.draft.title} (${h.draft.evidence.severityReason})`)).toEqual([]);
        });
      }
    });
  }
});
