// Shared by the labels tests: the shipped labelling policy and codings of each label kind.
import { readFileSync } from 'node:fs';
import type { Coding } from '../../../src/domain/fhir.js';
import { CONFIDENTIALITY_SYSTEM, SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, parseLabellingPolicy, type LabellingPolicy } from '../../../src/policy/labels/index.js';

const root = new URL('../../../../', import.meta.url);

/** policy/labelling.json as shipped. */
export const shippedPolicy: LabellingPolicy = parseLabellingPolicy(JSON.parse(readFileSync(new URL('policy/labelling.json', root), 'utf8')));

export const conf = (code: string): Coding => ({ system: CONFIDENTIALITY_SYSTEM, code });
export const sens = (code: string): Coding => ({ system: SENSITIVITY_SYSTEM, code });
export const team = (code: string): Coding => ({ system: SEAL_TEAM_SYSTEM, code });
