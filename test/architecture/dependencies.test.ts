// The layering of shared/ARCHITECTURE.md as a test: an upward import or a cycle fails the build.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';

describe('architecture: import direction', function () {
  this.timeout(120_000);

  it('has no upward imports, no cycles, and brands Released only in src/access', () => {
    let output: string;
    try {
      output = execFileSync('npx', ['depcruise', 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      expect.fail(`dependency rules broken:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    expect(output).to.match(/no dependency violations found/);
  });
});
