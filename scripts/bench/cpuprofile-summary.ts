// `node dist/scripts/bench/cpuprofile-summary.js FILE.cpuprofile [--top 25]`: prints where a profiled
// process spent its time (see cpuprofile.ts).
import { parseArgs } from 'node:util';
import { readProfile, summarise, table } from './cpuprofile.js';

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error('usage: cpuprofile-summary FILE.cpuprofile [--top N]');
  const profile = readProfile(positionals[0]!);
  const { total, byFunction, byArea } = summarise(profile);
  const top = Number(values.top ?? 25);
  console.log(`total sampled: ${(total / 1000).toFixed(0)} ms\n`);
  console.log(table('self time by area', byArea, total, top));
  console.log('');
  console.log(table('self time by function', byFunction, total, top));
}

main();
