// capabilities (GET /metadata): a CapabilityStatement generated from the route table, the resource
// types served and the search parameter registry, so it can never claim what is not there.
import { releaseServerStatement } from '../../access/guard.js';
import type { r4 } from '../../domain/fhir.js';
import type { Ctx } from '../context.js';
import type { FhirResponse, HttpMethod } from '../types.js';
import { supportedProfilesOf } from '../validation/index.js';

type Routes = { shape: string; methods: HttpMethod[] }[];
type TypeInteraction = r4.CapabilityStatementRestResourceInteraction['code'];
type SystemInteraction = r4.CapabilityStatementRestInteraction['code'];

const TYPE_INTERACTIONS: [string, HttpMethod, TypeInteraction][] = [
  ['T/I', 'GET', 'read'],
  ['T/I/_history/V', 'GET', 'vread'],
  ['T/I', 'PUT', 'update'],
  ['T/I', 'PATCH', 'patch'],
  ['T/I', 'DELETE', 'delete'],
  ['T/I/_history', 'GET', 'history-instance'],
  ['T/_history', 'GET', 'history-type'],
  ['T', 'POST', 'create'],
  ['T', 'GET', 'search-type'],
];
const SYSTEM_INTERACTIONS: [string, HttpMethod, SystemInteraction][] = [
  ['', 'POST', 'transaction'],
  ['', 'POST', 'batch'],
  ['', 'GET', 'search-system'],
  ['_history', 'GET', 'history-system'],
];

const CHANGING: ReadonlySet<HttpMethod> = new Set(['PUT', 'PATCH', 'DELETE']);

export function buildCapabilityStatement(ctx: Ctx, routes: Routes, appendOnly: (type: string) => boolean = () => false): r4.CapabilityStatement {
  const has = (shape: string, m: HttpMethod) => routes.some((r) => r.shape === shape && r.methods.includes(m));
  /** Operations are routes whose last segment is `$name`, under a literal resource type. */
  const operationsOf = (type: string) => {
    const named = (prefix: string) => routes
      .filter((r) => r.shape.startsWith(prefix) && r.shape.split('/').pop()!.startsWith('$'))
      .map((r) => r.shape.split('/').pop()!.slice(1));
    const own = named(`${type}/`).map((name): r4.CapabilityStatementRestResourceOperation => ({
      name,
      definition: `https://envelope.example/fhir/OperationDefinition/${type.toLowerCase()}-${name}`,
    }));
    // Operations every type has (routes under `T/`) are the standard ones, defined by HL7.
    const common = [...new Set(named('T/'))].map((name): r4.CapabilityStatementRestResourceOperation => ({
      name,
      definition: `http://hl7.org/fhir/OperationDefinition/Resource-${name}`,
    }));
    return [...own, ...common];
  };
  const resource = ctx.deps.resourceTypes.map((type): r4.CapabilityStatementRestResource => {
    const operation = operationsOf(type);
    const supportedProfile = supportedProfilesOf(type);
    const refParams = ctx.deps.parser.referenceParams(type);
    const revinclude = ctx.deps.resourceTypes.flatMap((other) =>
      ctx.deps.parser.referenceParams(other).filter((p) => p.targets.includes(type)).map((p) => `${other}:${p.code}`),
    );
    return {
      type: type as r4.CapabilityStatementRestResource['type'],
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: TYPE_INTERACTIONS.filter(([s, m]) => has(s, m) && !(appendOnly(type) && CHANGING.has(m))).map(([, , code]) => ({ code })),
      versioning: 'versioned-update',
      readHistory: has('T/I/_history/V', 'GET'),
      updateCreate: has('T/I', 'PUT') && !appendOnly(type),
      conditionalCreate: has('T', 'POST'),
      conditionalRead: 'full-support',
      conditionalUpdate: has('T', 'PUT') && !appendOnly(type),
      conditionalDelete: has('T', 'DELETE') && !appendOnly(type) ? 'single' : 'not-supported',
      referencePolicy: ['literal', 'logical', 'local'],
      // FHIR forbids empty arrays: a type with nothing to include or revinclude states neither.
      ...(refParams.length ? { searchInclude: ['*', ...refParams.map((p) => `${type}:${p.code}`)] } : {}),
      ...(revinclude.length ? { searchRevInclude: revinclude } : {}),
      searchParam: ctx.deps.parser.searchParams(type).map((p) => {
        const sp: r4.CapabilityStatementRestResourceSearchParam = { name: p.code, type: p.type };
        if (p.url) sp.definition = p.url;
        if (p.description) sp.documentation = p.description;
        return sp;
      }),
      ...(supportedProfile.length ? { supportedProfile } : {}),
      ...(operation.length ? { operation } : {}),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    publisher: 'Envelope',
    software: { name: ctx.deps.software.name, version: ctx.deps.software.version },
    implementation: { description: 'Envelope FHIR R4 server', url: ctx.req.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          // SMART's discovery extension: where systems get tokens (client credentials, private_key_jwt).
          extension: [{
            url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
            extension: [{ url: 'token', valueUri: `${ctx.req.baseUrl.replace(/\/fhir$/, '')}/auth/token` }],
          }],
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'SMART on FHIR: bearer tokens' }],
          description: 'Every request except GET /metadata needs a credential: a bearer JWT (SMART backend services '
            + 'client credentials from /auth/token, see /.well-known/smart-configuration, or a token of the configured issuer), '
            + 'or the session cookie of a SAML 2.0 single sign-on at smartcard strength (/auth/saml/login, when configured).',
        },
        resource,
        compartment: ctx.deps.parser.compartmentTypes().map((t) => `http://hl7.org/fhir/CompartmentDefinition/${t.toLowerCase()}`),
        interaction: SYSTEM_INTERACTIONS.filter(([s, m]) => has(s, m)).map(([, , code]) => ({ code })),
      },
    ],
  };
}

/** `appendOnly`: types whose resources are never updated, patched or deleted (not claimed for them). */
export async function capabilities(ctx: Ctx, routes: Routes, appendOnly?: (type: string) => boolean): Promise<FhirResponse> {
  return { status: 200, headers: {}, body: releaseServerStatement(buildCapabilityStatement(ctx, routes, appendOnly)) };
}
