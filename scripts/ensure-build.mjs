// Builds dist/ when it is missing or older than the sources, so `npm start` always runs compiled code.
import { execSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const out = 'dist/src/main.js';
if (!existsSync(out) || newest('src') > statSync(out).mtimeMs || newest('scripts') > statSync(out).mtimeMs) {
  execSync('npx tsc -p tsconfig.json', { stdio: ['ignore', 2, 2] });
}
