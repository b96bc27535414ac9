import type { Logger } from '../logger.js';
import { dependencyUp } from './metrics.js';

/** A dependency whose outages are tracked. */
export type Dependency = 'redis' | 'postgres';

/**
 * Up/down state of the service's dependencies. Client libraries report every failed reconnect of
 * every connection; those reports only prompt a check, and the checks alone decide the state, so an
 * outage makes one structured log line when it starts and one when it ends.
 */
export class DependencyHealth {
  private readonly down = new Map<Dependency, string>();
  private checking = false;
  /** Runs the dependency checks (readiness); set once readiness exists. */
  check?: () => Promise<unknown>;

  constructor(private readonly log: Logger) {
    dependencyUp.set({ dependency: 'redis' }, 1);
    dependencyUp.set({ dependency: 'postgres' }, 1);
  }

  /** A client reported an error (a failed reconnect, a lost idle connection): check now, unless an outage is known or a check runs. */
  clientError(dependency: Dependency, err: unknown): void {
    this.log.debug({ dependency, err }, 'dependency client error');
    if (this.down.has(dependency) || this.checking || !this.check) return;
    this.checking = true;
    this.check().catch(() => undefined).finally(() => {
      this.checking = false;
    });
  }

  /** Records a failed check; logs only the first one of an outage. */
  failed(dependency: Dependency, err: unknown): void {
    if (this.down.has(dependency)) return;
    const reason = err instanceof Error ? (err.message || (err as NodeJS.ErrnoException).code || err.name) : String(err);
    this.down.set(dependency, reason);
    dependencyUp.set({ dependency }, 0);
    this.log.error({ dependency, reason }, `${dependency} unavailable; retrying until it answers`);
  }

  /** Records a check that passed; logs the end of an outage. */
  answered(dependency: Dependency): void {
    const reason = this.down.get(dependency);
    if (reason === undefined) return;
    this.down.delete(dependency);
    dependencyUp.set({ dependency }, 1);
    this.log.info({ dependency }, `${dependency} answers again`);
  }

  /** Whether the dependency answered its last check. */
  isUp(dependency: Dependency): boolean {
    return !this.down.has(dependency);
  }
}
