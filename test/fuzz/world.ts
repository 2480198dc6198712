// The Envelope a fuzz run targets: one composed, in-process Envelope (SQLite in memory, or the
// MongoDB adapter over the in-memory double) on a real socket, with SAML sign-on configured against
// a local test IdP so that /auth/saml/* is mounted too, the fixed resources of resources.ts WORLD
// stored, and tokens for every kind of caller the cases use.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_MAX_TTL_SEC, ensureDevIssuer } from '../../src/auth/dev-issuer.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { samlEnv, startIdp } from '../auth/saml/support.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { MongoDouble } from '../store/mongo-double/index.js';
import type { TestIdp } from '../../scripts/saml-idp/server.js';
import type { Credentials } from './case.js';
import type { Json } from './hostile.js';
import { ODS, SERVICE_TYPE, WORLD, worldSlot } from './resources.js';

export type FuzzStore = 'sqlite' | 'mongo-double';

export interface FuzzWorld {
  env: TestEnvelope;
  host: string;
  port: number;
  creds: Credentials;
  /** A token that may write and read Organizations, for checks after the run. */
  admin: string;
  stop(): Promise<void>;
}

async function put(base: string, token: string, resource: Record<string, Json>): Promise<void> {
  const res = await fetch(`${base}/fhir/${String(resource['resourceType'])}/${String(resource['id'])}`, {
    method: 'PUT', headers: { authorization: token, 'content-type': 'application/fhir+json' }, body: JSON.stringify(resource),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`seeding ${String(resource['resourceType'])}/${String(resource['id'])}: ${res.status} ${text}`);
}

export async function startFuzzWorld(opts: { store?: FuzzStore; saml?: boolean } = {}): Promise<FuzzWorld> {
  const idp: TestIdp | undefined = opts.saml === false ? undefined : await startIdp();
  const client = opts.store === 'mongo-double' ? new MongoDouble({ topology: 'replicaSet' }) : undefined;
  const env = await startEnvelope(idp ? samlEnv(idp) : {}, client ? { openStore: (indexer) => openMongoStore({ client, indexer }) } : {});
  const server: Server = await new Promise((resolve) => {
    const s = createServer(env.app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;

  // A day's tokens (the development issuer's longest), so that long local runs do not outlive them.
  const auth = async (role: string, claims: Record<string, unknown> = {}) =>
    `Bearer ${await env.issuer.sign({ sub: `fuzz-${role}`, role, scope: (scopesForRole(env.rolePolicy, role) ?? []).join(' '), ...claims }, DEV_MAX_TTL_SEC)}`;
  const estate = await auth('estate-admin');
  const pas = await auth('pas-system', { sub: 'pas-1', organization: 'RR8' });
  const gp = await auth('gp-clinician', { sub: 'dr-fuzz', organization: 'A81001', fhirUser: `Practitioner/${WORLD.practitioner}` });
  const gpSystem = await auth('gp-system', { sub: 'gp-system-1', organization: 'A81001' });
  await put(base, estate, { resourceType: 'Organization', id: WORLD.trust, name: 'Fuzz Trust', identifier: [{ system: ODS, value: 'RR8' }] });
  await put(base, estate, { resourceType: 'Organization', id: WORLD.practice, name: 'Fuzz Practice', identifier: [{ system: ODS, value: 'A81001' }] });
  await put(base, estate, { resourceType: 'Location', id: WORLD.location, name: 'Fuzz Site', managingOrganization: { reference: `Organization/${WORLD.trust}` } });
  await put(base, estate, { resourceType: 'HealthcareService', id: WORLD.service, name: 'Cardiology', providedBy: { reference: `Organization/${WORLD.trust}` }, location: [{ reference: `Location/${WORLD.location}` }], type: [SERVICE_TYPE] });
  await put(base, estate, { resourceType: 'Practitioner', id: WORLD.practitioner, name: [{ family: 'Fuzz' }] });
  await put(base, pas, { resourceType: 'Schedule', id: WORLD.schedule, active: true, actor: [{ reference: `HealthcareService/${WORLD.service}` }], serviceType: [SERVICE_TYPE] });
  for (let i = 0; i < WORLD.slots.length; i++) await put(base, pas, worldSlot(i));
  for (const id of WORLD.patients) {
    await put(base, gpSystem, { resourceType: 'Patient', id, name: [{ family: id }], birthDate: '1970-05-01', generalPractitioner: [{ reference: `Organization/${WORLD.practice}` }] });
  }
  // PUT with the world's own id: a role that may choose ids (a GP clinician refers by POST).
  await put(base, gpSystem, {
    resourceType: 'ServiceRequest', id: WORLD.referral, status: 'active', intent: 'order', code: SERVICE_TYPE,
    subject: { reference: `Patient/${WORLD.patients[0]}` }, performer: [{ reference: `HealthcareService/${WORLD.service}` }],
  });

  const valid = [
    estate, pas, gp, gpSystem,
    await auth('gp-clinician', { sub: 'dr-other', organization: 'B82002' }),
    await auth('gp-admin', { sub: 'gp-admin-1', organization: 'A81001' }),
    await auth('booking-clerk', { sub: 'clerk-1', organization: 'RR8' }),
    await auth('consultant', { sub: 'cons-1', organization: 'RR8', fhirUser: 'Practitioner/cons-1' }),
    await auth('auditor', { sub: 'auditor-1' }),
    await auth('privacy-officer', { sub: 'po-1' }),
    await auth('patient', { sub: WORLD.patients[0], fhirUser: `Patient/${WORLD.patients[0]}` }),
    await auth('gp-clinician', { sub: 'dr-glass', organization: 'A81001', purpose_of_use: 'ETREAT' }),
  ];
  // Signed by the trusted key, with claims no issuer should have put there.
  const odd = async (claims: Record<string, unknown>) => `Bearer ${await env.issuer.sign({ sub: 'odd', ...claims }, DEV_MAX_TTL_SEC)}`;
  const oddClaims = [
    await odd({ role: '__proto__', scope: 'user/*.*' }),
    await odd({ role: { $gt: '' }, scope: 'user/Patient.rs' }),
    await odd({ role: 'gp-clinician', scope: { $ne: null }, organization: 'A81001' }),
    await odd({ role: 'gp-clinician', scope: 'system/*.cruds user/*.* patient/*.*', organization: { $ne: null } }),
    await odd({ role: 'patient', scope: 'patient/*.rs', fhirUser: 'Patient/../Patient/fz-patient-2' }),
    await odd({ role: 'estate-admin', scope: 'user/Organization.cruds', sub: 'x'.repeat(3000) }),
    await odd({ role: 'constructor', scope: 'user/*.cruds', organization: '__proto__' }),
    await odd({ role: ['gp-clinician', 'estate-admin'], scope: ['user/*.*'] }),
  ];
  const otherDir = mkdtempSync(join(tmpdir(), 'envelope-fuzz-untrusted-'));
  const stranger = await ensureDevIssuer(otherDir, { NODE_ENV: 'development' });
  const untrusted = `Bearer ${await stranger.sign({ sub: 'stranger', role: 'estate-admin', scope: 'user/*.cruds' }, DEV_MAX_TTL_SEC)}`;
  rmSync(otherDir, { recursive: true, force: true });

  return {
    env,
    host: '127.0.0.1',
    port,
    creds: {
      valid, oddClaims, untrusted,
      writerOf: {
        Organization: estate, Location: estate, HealthcareService: estate, Practitioner: estate, PractitionerRole: estate,
        Schedule: pas, Slot: pas, Patient: gpSystem, ServiceRequest: gp, Appointment: gp, Consent: gp, AuditEvent: gp,
      },
    },
    admin: estate,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await env.stop();
      await idp?.close();
    },
  };
}
