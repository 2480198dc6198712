// Run as its own process by definitions.test.ts: measures what loading costs in a cold process and
// what validating one typical Appointment costs afterwards: in full, the structural walk alone (so
// the invariants' share shows), and claiming Envelope's booked-appointment profile. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const appointment = JSON.parse(readFileSync(join(dir, 'Appointment-example.json'), 'utf8')) as Record<string, unknown>;
const profiled = { ...appointment, meta: { profile: ['https://envelope.example/fhir/StructureDefinition/envelope-booked-appointment'] } };

const t0 = performance.now();
const v = await import('../../../src/fhir/validation/index.js');
const { walk } = await import('../../../src/fhir/validation/walker.js');
const t1 = performance.now();
const errors = v.validateResource(appointment, { expectedType: 'Appointment' }).filter((i) => i.severity === 'error').length;
const t2 = performance.now();
v.validateResource(profiled, { expectedType: 'Appointment' });

/** Microseconds per call of `f`, after a warm-up. */
function perCall(f: () => unknown, rounds = 2000): number {
  for (let i = 0; i < 200; i++) f();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) f();
  return ((performance.now() - start) / rounds) * 1000;
}
const warmUs = perCall(() => v.validateResource(appointment, { expectedType: 'Appointment' }));
const structureUs = perCall(() => walk(appointment, { expectedType: 'Appointment' }));
const invariantSites = walk(appointment, { expectedType: 'Appointment' }).sites.reduce((n, s) => n + s.rules.length, 0);
const profiledUs = perCall(() => v.validateResource(profiled, { expectedType: 'Appointment' }));
console.log(JSON.stringify({
  importMs: t1 - t0, firstMs: t2 - t1, warmUs, structureUs, profiledUs, invariantSites, errors, stats: v.validationLoadStats(),
}));
