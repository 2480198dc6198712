// Which code a figure was measured with: the commit, and how far src/ differed from it.
import { execFileSync } from 'node:child_process';

/** Which code was measured: the commit, and whether src/ differed from it (others work in parallel). */
export function codeState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter((l) => l.trim() !== '').length;
    return dirty ? `commit ${head} plus ${dirty} uncommitted file change(s) under src/ (the working tree as built)` : `commit ${head}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
