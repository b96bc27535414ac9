import type { Logger } from '../logger.js';
import { dependencyUp } from './metrics.js';

/** A dependency whose outages are tracked. */
export type Dependency = 'redis' | 'postgres';

/**
 * Up/down state of the service's dependencies. A client library reports every failed reconnect;
 * this turns them into one structured log line when an outage starts and one when it ends.
 */
export class DependencyHealth {
  private readonly down = new Map<Dependency, string>();

  constructor(private readonly log: Logger) {
    dependencyUp.set({ dependency: 'redis' }, 1);
    dependencyUp.set({ dependency: 'postgres' }, 1);
  }

  /** Records a failure; logs only the first one of an outage. */
  failed(dependency: Dependency, err: unknown): void {
    if (this.down.has(dependency)) return;
    const reason = err instanceof Error ? (err.message || (err as NodeJS.ErrnoException).code || err.name) : String(err);
    this.down.set(dependency, reason);
    dependencyUp.set({ dependency }, 0);
    this.log.error({ dependency, reason }, `${dependency} unavailable; retrying until it answers`);
  }

  /** Records a success; logs the end of an outage. */
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
