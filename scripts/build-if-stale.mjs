// Compiles dist/ before `npm start` when it is missing or older than the sources; a no-op otherwise.
// In an image built with `npm ci --omit=dev` the sources (and tsc) may be absent: dist/ is then used as it is.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist/src/cli.js');
const inputs = ['src', 'jobs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p));

/** Newest modification time (ms) of a file or of anything under a directory; 0 when absent. @param {string} path @returns {number} */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((/** @type {number} */ m, /** @type {string} */ name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const sources = Math.max(...inputs.map(newest));
const hasCompiler = existsSync(join(root, 'node_modules/typescript/bin/tsc'));
if (built === 0 && !hasCompiler) {
  process.stderr.write('storage-watch: dist/ is missing and TypeScript is not installed; run `npm ci` then `npm run build`\n');
  process.exit(1);
}
if (built < sources && existsSync(join(root, 'src')) && hasCompiler) {
  process.stderr.write(`storage-watch: ${built ? 'dist/ is older than the sources' : 'no dist/ yet'}; building\n`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
