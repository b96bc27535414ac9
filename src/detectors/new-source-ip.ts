import { historyDays } from '../core/baseline.js';
import { formatBytes } from '../core/format-bytes.js';
import { isKnownAddress } from '../detection/known-values.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { OTHER, distinctObjects, totalOps, type Rollup } from '../core/rollup.js';
import { activeHours, dailyTotals, hourOfDayShare, usualHourShare } from '../detection/baseline-stats.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { newClientFamilies } from '../detection/client-family.js';
import { inNetworks, networkOf, privateRangeOf, wideNetworkOf } from '../detection/network.js';
import { hourNorm } from '../detection/norm.js';
import { hourContext } from '../detection/top-keys.js';
import { guessedNorm } from './learning-floor.js';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];
/** Below this share of active days, an hour of the day is not one the identity usually works in. */
const UNUSUAL_HOUR_SHARE = 0.1;

/**
 * How far the hour's volume is above normal: the largest ratio over requests, bytes and objects read,
 * and whether the norm it was measured against is only a guess (learning, no mature peers).
 */
function volumeRatio(ctx: DetectionContext): { ratio: number; guessed: boolean } {
  const r = ctx.rollup;
  const ratios = [
    { v: totalOps(r), norm: hourNorm(ctx, 'ops', 50) },
    { v: r.bytesOut, norm: hourNorm(ctx, 'bytesOut', 100 * 1024 ** 2) },
    { v: distinctObjects(r).readObjects, norm: hourNorm(ctx, 'readObjects', 50) },
  ].map(({ v, norm }) => ({ ratio: v / norm.high, guessed: guessedNorm(norm) }));
  return ratios.reduce((a, c) => (c.ratio > a.ratio ? c : a));
}

const DATA_MOVED = 100 * 1024 ** 2;
const DAY = 86_400_000;
/** Typical days of requests from a network first reached today that are more than a move or a second home carries. */
const DAYS_FROM_NEW = 3;
/** Requests from a never-seen /16 that count as a surge against the identity's own busiest hour. */
const OWN_SURGE = 3;
const OWN_SURGE_MIN = 20;

/** Bytes that count as data moved for this identity: at least 100 MB, and ten times its busiest normal hour. */
function dataMovedFloor(ctx: DetectionContext): number {
  return Math.max(DATA_MOVED, 10 * activeHours(ctx.baseline, 'bytesOut').p99);
}

/**
 * Whether two addresses of an hour were in use at once: their first-to-last spans overlap. An address
 * left for another within the hour (home line to a phone hotspot) is a switch, not two places. Without
 * spans (rollups stored before they were kept, an hour of more addresses than are spanned) the same
 * hour counts as at once.
 */
function usedTogether(r: Rollup, a: string, b: string): boolean {
  const x = r.ipSpans[a];
  const y = r.ipSpans[b];
  return !x || !y || (x[0] <= y[1] && y[0] <= x[1]);
}

/** The network a new address is reported under: its private range, or its /24 (/48). */
function reportedNetwork(ip: string): string {
  return privateRangeOf(ip) ?? networkOf(ip);
}

/**
 * A source address outside everything the identity uses (its addresses, their /24s, the private
 * ranges it works from) and outside the known networks. A new address alone is low and is grouped
 * per day (people travel, move house, tether to a phone). Medium needs corroboration: abnormal
 * volume from the new address, or, from a never-seen /16, use at the same time from its usual place,
 * a client family it never used or data moved; an hour it never works adds to those but is not enough alone.
 */
export const newSourceIp: Detector = {
  id: 'new-source-ip',
  description: 'An identity acts from a source IP address far from any it has used, outside the known corporate networks.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const days = historyDays(b);
    if (identity.principal.type === 'anonymous' || days === 0) return [];
    // A /16 first reached within the last day is still new for the whole of that day: an exfiltration from a rented
    // server lasts hours, and only its first hour would otherwise be judged (the address is learnt after it).
    const today = r.hour - DAY;
    const knownWide = new Set([
      ...Object.entries(b.ips).filter(([, v]) => v.first < today).map(([ip]) => ip),
      ...Object.entries(b.networks).filter(([, v]) => v.first < today).map(([n]) => n.split('/')[0]!),
    ].map(wideNetworkOf));
    const newToday = (ip: string): boolean => b.firstSeen < today && !privateRangeOf(ip) && !knownWide.has(wideNetworkOf(ip));
    const fresh = Object.keys(r.ips).filter((ip) => ip !== OTHER && (!isKnownAddress(b, ip) || newToday(ip)) && !inNetworks(ip, settings.knownNetworks));
    if (!fresh.length) return [];
    const learning = days < settings.learningDays;
    const typicalDayOps = dailyTotals(b, 'ops', true, r.hour).median;
    const families = newClientFamilies(r.clients, b.clients);
    const newFamilies = [...families.keys()];
    const { ratio, guessed } = volumeRatio(ctx);
    // While learning only peers can say what volume is abnormal; a guessed norm says nothing.
    const volumeFrom = guessed ? Infinity : settings.thresholds.ratio.medium;
    // Known public addresses used in the same hour: the identity may be in its usual place too.
    const knownNow = Object.keys(r.ips).filter((ip) => ip !== OTHER && isKnownAddress(b, ip) && !privateRangeOf(ip) && !newToday(ip));
    const unusualHour = !ctx.local.inBusinessHours && usualHourShare(hourOfDayShare(b), new Date(r.first).getUTCHours()) < UNUSUAL_HOUR_SHARE;
    const byNetwork = new Map<string, string[]>();
    for (const ip of fresh) byNetwork.set(reportedNetwork(ip), [...(byNetwork.get(reportedNetwork(ip)) ?? []), ip]);

    return [...byNetwork.entries()].map(([network, ips]): FindingDraft => {
      const ops = ips.reduce((n, ip) => n + (r.ips[ip] ?? 0), 0);
      const share = ops / Math.max(1, totalOps(r));
      const isPrivate = privateRangeOf(ips[0]!) !== undefined;
      const newWide = isPrivate || !knownWide.has(wideNetworkOf(ips[0]!));
      const reasons: string[] = [isPrivate ? `private range ${network} never used by this identity` : isKnownAddress(b, ips[0]!) ? `network ${network} first reached today` : `network ${network} never seen`];
      let level = 0;
      if (ratio >= volumeFrom && share >= 0.5) {
        level += ratio >= settings.thresholds.ratio.high ? 2 : 1;
        reasons.push(`volume ${ratio.toFixed(1)}x the upper bound of normal`);
      }
      if (!newWide) reasons.push('inside a /16 it already uses (a move or a reassigned address, not a new place)');
      const byVolume = level > 0;
      if (learning) reasons.push(`baseline still learning (${days} of ${settings.learningDays} days): only volume against peers counts`);
      else if (newWide) {
        // Two places at once in one hour is a stolen key or session, not a trip (travellers leave the office behind);
        // a client family it never used from a place it never was is someone else's machine.
        const strong: string[] = [];
        const atOnce = isPrivate ? undefined : knownNow.find((known) => ips.some((ip) => usedTogether(r, ip, known)));
        if (atOnce) strong.push(`used at the same time from its usual address ${atOnce}`);
        if (newFamilies.length) strong.push(`new client ${newFamilies[0]}`);
        // Far more requests than its own busiest hour, from a place it never was: the absolute floors of the volume ratio do not apply.
        if (!byVolume && ops >= OWN_SURGE_MIN && ops >= OWN_SURGE * activeHours(b, 'ops').p99) strong.push(`${ops} requests from it, ${OWN_SURGE}x its busiest normal hour or more`);
        // More than three ordinary days of requests from it since it first appeared: a second home or a new line carries an ordinary day.
        const sinceFirst = ops + ctx.recent.reduce((n, x) => n + Object.entries(x.ips).reduce((m, [ip, c]) => m + (ip !== OTHER && reportedNetwork(ip) === network ? c : 0), 0), 0);
        if (!byVolume && typicalDayOps > 0 && sinceFirst >= OWN_SURGE_MIN && sinceFirst >= DAYS_FROM_NEW * typicalDayOps) {
          strong.push(`${sinceFirst} requests from it since it first appeared today, ${(sinceFirst / typicalDayOps).toFixed(1)}x a typical day`);
        }
        const moved = Math.round(r.bytesOut * share);
        if (!byVolume && moved >= dataMovedFloor(ctx)) strong.push(`${formatBytes(moved)} downloaded from it, ten times its busiest normal hour or more`);
        const offHours = unusualHour ? [`at ${ctx.local.label}, outside its usual hours`] : [];
        if (strong.length) level += strong.length + offHours.length;
        else if (offHours.length && level === 0) offHours.push('an unusual hour alone stays low (weekend work, a second home)');
        reasons.push(...strong, ...offHours);
      }
      if (byVolume && newWide && !isPrivate) { level++; reasons.push('data moved from a /16 no address of this identity ever came from'); }
      // Gigabytes raise the severity only when they are abnormal for the identity (some move gigabytes every hour).
      const bulky = byVolume || r.bytesOut * share >= dataMovedFloor(ctx);
      if (level > 0 && share >= 0.5 && bulky && r.bytesOut >= settings.thresholds.bytes.critical) level = 3;
      else if (level > 0 && share >= 0.5 && bulky && r.bytesOut >= settings.thresholds.bytes.high) level = Math.max(level, 2);
      const who = identity.principal.name;
      const where = ips.length === 1 ? ips[0]! : `${ips.length} new addresses in ${network}`;
      return {
        detector: 'new-source-ip',
        severity: LEVELS[Math.min(level, 3)]!,
        scope: ips.length === 1 ? `ip:${ips[0]}` : `net:${network}`,
        start: r.first,
        end: r.last,
        title: `New source IP ${where} for ${who}`,
        summary:
          `${who} made ${ops} request${ops === 1 ? '' : 's'} from ${where}, never seen in ${days} day${days === 1 ? '' : 's'} of history ` +
          `(${Object.keys(b.ips).length} known addresses in ${Object.keys(b.networks).length} networks). ` +
          (newWide ? `Nothing it used before lies in the surrounding ${isPrivate ? 'private range' : '/16'}.` : 'It lies in a /16 it already uses.') +
          (newFamilies.length ? ` A client family never seen before was used: ${newFamilies.slice(0, 2).join(', ')}.` : ''),
        evidence: {
          observed: { requestsFromNewIps: ops, newIps: ips.length, requestsInHour: totalOps(r), bytesOutInHour: r.bytesOut, volumeRatio: Number(ratio.toFixed(2)) },
          expected: { knownIps: Object.keys(b.ips).length, knownNetworks: Object.keys(b.networks).length },
          baseline: { days, learning, since: new Date(b.firstSeen).toISOString() },
          firstSeen: { ips, networks: [network], clients: [...families.values()].flatMap((f) => f.agents).slice(0, 5) },
          ...hourContext(r),
          ips,
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
