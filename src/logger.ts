import { pino, type Logger } from 'pino';

/** Paths whose values never reach the logs. */
const REDACT = [
  '*.token', '*.password', '*.secret', '*.authorization', '*.Authorization', '*.signingSecret', '*.botToken', '*.appToken',
  '*.accessKeyId', '*.secretAccessKey', '*.sessionToken', 'headers.authorization', 'headers.cookie', 'config.slack.botToken',
];

/** The process logger: JSON lines on stderr, secrets redacted. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'storage-watch' } }, destination);
}

export type { Logger };
