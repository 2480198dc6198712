// A real Envelope listening on an ephemeral port, for running the conformance suites over the
// network as any client would, and the role tokens the suites' variables name (docs/conformance.md).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ComposeOptions } from '../../src/compose.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

export interface ListeningEnvelope {
  env: TestEnvelope;
  /** FHIR base URL, e.g. http://127.0.0.1:41234/fhir */
  base: string;
  /** One token per role variable the suites use. */
  tokens: Record<string, string>;
  stop(): Promise<void>;
}

/** Identities of the estate: who each token variable stands for. */
export const TOKEN_CLAIMS: Record<string, [string, Record<string, unknown>]> = {
  estateToken: ['estate-admin', { sub: 'estate-admin-1' }],
  pasToken: ['pas-system', { sub: 'pas-rr8', organization: 'RR8' }],
  gpSystemToken: ['gp-system', { sub: 'gp-system-a81001', organization: 'A81001' }],
  gpToken: ['gp-clinician', { sub: 'dr-jones', organization: 'A81001', fhirUser: 'Practitioner/est-prac-jones' }],
  otherGpToken: ['gp-clinician', { sub: 'dr-patel', organization: 'B82002', fhirUser: 'Practitioner/est-prac-patel' }],
  clerkToken: ['booking-clerk', { sub: 'clerk-rr8', organization: 'RR8' }],
  consultantToken: ['consultant', { sub: 'dr-okafor', organization: 'RR8', fhirUser: 'Practitioner/est-prac-okafor' }],
  patientToken: ['patient', { sub: 'ann-smith', fhirUser: 'Patient/est-pat-ann' }],
};

/** `opts` as for startEnvelope (e.g. another store). */
export async function startListeningEnvelope(envVars: Record<string, string> = {}, opts: ComposeOptions = {}): Promise<ListeningEnvelope> {
  const env = await startEnvelope(envVars, opts);
  const server: Server = await new Promise((resolve) => {
    const s = env.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const tokens: Record<string, string> = {};
  for (const [name, [role, claims]] of Object.entries(TOKEN_CLAIMS)) {
    tokens[name] = (await env.auth(role, claims)).replace(/^Bearer /, '');
  }
  return {
    env,
    base: `http://127.0.0.1:${port}/fhir`,
    tokens,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await env.stop();
    },
  };
}
