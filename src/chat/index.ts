import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChatPlatform } from './platform.js';
import type { ReplayGuard } from './replay-guard.js';
import { createSlackPlatform } from './slack/index.js';
import { createTeamsPlatform } from './teams/index.js';

/** What every platform may be given when it is created. */
export interface PlatformOptions {
  logger?: Logger;
  /** HTTP client for outbound calls that do not go through the platform's SDK (default: global fetch). */
  fetch?: typeof fetch;
  /** Remembers accepted inbound requests across processes, so that a replayed one is refused. */
  replayGuard?: ReplayGuard;
}

/** A chat platform the service can run: its name, and how to build it when its configuration is present. */
export interface PlatformEntry {
  name: string;
  /** The platform, or undefined when it is not configured. */
  create(config: Config, opts: PlatformOptions): ChatPlatform | undefined;
}

/** Every chat platform storage-watch supports. Adding one is a folder under src/chat/ and a line here. */
export const CHAT_PLATFORMS: readonly PlatformEntry[] = [
  { name: 'slack', create: (c, o) => (c.slack ? createSlackPlatform(c.slack, o) : undefined) },
  { name: 'teams', create: (c, o) => (c.teams ? createTeamsPlatform(c.teams, o) : undefined) },
];

/** The platforms the configuration turns on, in registry order. */
export function configuredPlatforms(config: Config, opts: PlatformOptions = {}): ChatPlatform[] {
  return CHAT_PLATFORMS.flatMap((entry) => entry.create(config, opts) ?? []);
}
