// Envelope's profiles (profiles/*.json) as a registry, and which of them a resource is checked
// against: every profile its meta.profile claims, plus those the deployment makes mandatory for its
// type (MANDATORY_PROFILES; none by default, so clients that claim nothing keep working).
import { fileURLToPath } from 'node:url';
import { envString } from '../../domain/env.js';
import type { Issue } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import { checkProfile } from './profile-check.js';
import { PROFILE_BASE_URL, readProfiles } from './profile-loader.js';
import type { Profile } from './profile-model.js';

const R4_BASE_URL = 'http://hl7.org/fhir/StructureDefinition/';
/** The repository's profiles folder, from dist/src/fhir/validation/. */
const PROFILES_DIR = fileURLToPath(new URL('../../../../profiles/', import.meta.url));

export interface ProfileRegistry {
  all: readonly Profile[];
  byUrl: ReadonlyMap<string, Profile>;
}

let installed: ProfileRegistry | undefined;

/**
 * The profiles in profiles/, read on first use and kept. Called at start-up (through
 * mandatoryProfilesFrom), so a faulty profile stops the server instead of the first write.
 */
export function installedProfiles(): ProfileRegistry {
  installed ??= registryOf(readProfiles(PROFILES_DIR));
  return installed;
}

export function registryOf(profiles: readonly Profile[]): ProfileRegistry {
  return { all: profiles, byUrl: new Map(profiles.map((p) => [p.url, p])) };
}

/** Canonical URLs of the profiles of `type`, for the CapabilityStatement's supportedProfile. */
export function supportedProfilesOf(type: string, registry: ProfileRegistry = installedProfiles()): string[] {
  return registry.all.filter((p) => p.type === type).map((p) => p.url);
}

/** The MANDATORY_PROFILES setting of `env` (see mandatoryProfilesFrom); reading it loads the profiles. */
export function mandatoryProfilesFromEnv(env: NodeJS.ProcessEnv): string[] {
  return mandatoryProfilesFrom(envString(env, 'MANDATORY_PROFILES'));
}

/**
 * Reads MANDATORY_PROFILES: profile URLs (or their last segment, `envelope-referral`) separated by
 * commas or spaces. Each applies to every write of its profile's type. Throws, naming the variable,
 * on a profile that is not in profiles/.
 */
export function mandatoryProfilesFrom(setting: string | undefined, registry: ProfileRegistry = installedProfiles()): string[] {
  const names = (setting ?? '').split(/[\s,]+/).filter((n) => n !== '');
  return names.map((n) => {
    const url = n.includes('/') ? n : PROFILE_BASE_URL + n;
    if (!registry.byUrl.has(url)) {
      throw new Error(`MANDATORY_PROFILES: ${n} is not one of the profiles in profiles/ (${registry.all.map((p) => p.url.slice(PROFILE_BASE_URL.length)).join(', ')})`);
    }
    return url;
  });
}

/**
 * The issues of `resource` against every profile it claims in meta.profile and every mandatory one
 * for its type. A claimed profile the server does not have is a warning (the resource is still
 * checked against the base definition); a claim of another type's profile is an error.
 */
export function profileIssues(resource: unknown, mandatory: readonly string[] = [], registry?: ProfileRegistry): Issue[] {
  if (!isPlainObject(resource) || typeof resource.resourceType !== 'string') return [];
  const type = resource.resourceType;
  const meta = resource.meta;
  const claims = isPlainObject(meta) && Array.isArray(meta.profile) ? meta.profile : [];
  if (claims.length === 0 && mandatory.length === 0) return []; // the common write: nothing to read
  const reg = registry ?? installedProfiles();
  const out: Issue[] = [];
  const checked = new Set<string>();
  claims.forEach((claim, i) => {
    if (typeof claim !== 'string') return; // a non-string is the structural walk's error
    const url = claim.split('|')[0]!;
    if (url === R4_BASE_URL + type || checked.has(url)) return;
    const at = `${type}.meta.profile[${i}]`;
    const profile = reg.byUrl.get(url);
    if (!profile) {
      out.push({ severity: 'warning', code: 'not-supported', diagnostics: `Profile ${url} is not known to this server: the resource was checked against the base definition only`, expression: [at] });
      return;
    }
    checked.add(url);
    out.push(...againstProfile(resource, profile, at));
  });
  for (const url of mandatory) {
    const profile = reg.byUrl.get(url);
    if (!profile || profile.type !== type || checked.has(url)) continue;
    checked.add(url);
    out.push(...checkProfile(profile, resource));
  }
  return out;
}

/**
 * The issues of `resource` against the profile `url` (the `profile` input of $validate). A profile the
 * server does not have is an error here: the client asked for a check that cannot be made.
 */
export function validateAgainstProfile(resource: unknown, url: string, registry: ProfileRegistry = installedProfiles()): Issue[] {
  if (!isPlainObject(resource) || typeof resource.resourceType !== 'string') return [];
  const bare = url.split('|')[0]!;
  if (bare === R4_BASE_URL + resource.resourceType) return [];
  const profile = registry.byUrl.get(bare);
  if (!profile) {
    return [{ severity: 'error', code: 'not-supported', diagnostics: `Profile ${bare} is not known to this server (known: ${registry.all.map((p) => p.url).join(', ')})` }];
  }
  return againstProfile(resource, profile, undefined);
}

function againstProfile(resource: Record<string, unknown>, profile: Profile, claimedAt: string | undefined): Issue[] {
  if (profile.type !== resource.resourceType) {
    return [{
      severity: 'error', code: 'invalid', expression: claimedAt ? [claimedAt] : [String(resource.resourceType)],
      diagnostics: `Profile ${profile.url} constrains ${profile.type}, not ${String(resource.resourceType)}`,
    }];
  }
  return checkProfile(profile, resource);
}
