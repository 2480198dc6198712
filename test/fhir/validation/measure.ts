// Run as its own process by definitions.test.ts: measures what loading costs in a cold process and
// what validating one typical Appointment costs afterwards. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const appointment = JSON.parse(readFileSync(join(dir, 'Appointment-example.json'), 'utf8')) as unknown;

const t0 = performance.now();
const v = await import('../../../src/fhir/validation/index.js');
const t1 = performance.now();
const errors = v.validateResource(appointment, { expectedType: 'Appointment' }).filter((i) => i.severity === 'error').length;
const t2 = performance.now();
const rounds = 2000;
for (let i = 0; i < rounds; i++) v.validateResource(appointment, { expectedType: 'Appointment' });
const t3 = performance.now();
console.log(JSON.stringify({
  importMs: t1 - t0, firstMs: t2 - t1, warmUs: ((t3 - t2) / rounds) * 1000, errors, stats: v.validationLoadStats(),
}));
