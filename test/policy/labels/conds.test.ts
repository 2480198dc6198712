// hiddenWhere / maskedWhere evaluated by a real store (SQLite with the real indexer) must select
// exactly the resources viewOf calls hidden / masked, for every viewer and several mappings: the
// store decides searches, counts and includes with the Conds, reads and writes use viewOf.
import { expect } from 'chai';
import type { Coding, r4 } from '../../../src/domain/fhir.js';
import { FALSE, not, type Cond } from '../../../src/domain/search-types.js';
import {
  hiddenWhere, maskedWhere, parseLabellingPolicy, viewOf,
  type LabellingPolicy, type Viewer,
} from '../../../src/policy/labels/index.js';
import { conf, sens, shippedPolicy, team } from './support.js';
import { createIndexer } from '../../../src/search/indexer.js';
import { loadR4Registry } from '../../../src/search/registry.js';
import type { Store } from '../../../src/store/port.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

const shipped = shippedPolicy;


/** One referral per label combination worth telling apart. */
const LABELS: Record<string, Coding[]> = {
  'unlabelled': [],
  'n': [conf('N')],
  'r-team-a': [conf('R'), team('A1')],
  'r-no-team': [conf('R')],
  'v-team-a': [conf('V'), team('A1')],
  'v-team-b': [conf('V'), team('B1')],
  'v-no-team': [conf('V')],
  'n-hiv-team-a': [conf('N'), sens('HIV'), team('A1')],
  'r-hiv': [conf('R'), sens('HIV')],
  'r-psy-team-b': [conf('R'), sens('PSY'), team('B1')],
  'r-hiv-psy': [conf('R'), sens('HIV'), sens('PSY')],
  'sdv-only': [sens('SDV')],
  'm-sdv-team-c': [conf('M'), sens('SDV'), team('C1')],
  'r-unknown-conf': [conf('R'), conf('Q')],
  'n-unknown-conf': [conf('N'), conf('Q')],
  'r-unrecognised-sens': [conf('R'), sens('NOTACODE')],
  'unrecognised-sens': [sens('NOTACODE')],
  'no-system-v': [{ code: 'V' }],
  'other-system-r': [{ system: 'https://example.org/confidentiality', code: 'R' }],
  'team-only': [team('A1')],
  'l': [conf('L')],
};

const VIEWERS: Record<string, Viewer> = {
  'a-uncleared': { organization: 'A1', clearance: { confidentiality: 'N', sensitivity: [] } },
  'b-uncleared': { organization: 'B1', clearance: { confidentiality: 'N', sensitivity: [] } },
  'c-r-hiv': { organization: 'C1', clearance: { confidentiality: 'R', sensitivity: ['HIV'] } },
  'd-r-all': { organization: 'D1', clearance: { confidentiality: 'R', sensitivity: '*' } },
  'd-n-all': { organization: 'D1', clearance: { confidentiality: 'N', sensitivity: '*' } },
  'e-v-all': { organization: 'E1', clearance: { confidentiality: 'V', sensitivity: '*' } },
  'no-org-v-all': { clearance: { confidentiality: 'V', sensitivity: '*' } },
  'no-org-none': { clearance: { confidentiality: 'N', sensitivity: [] } },
  'unknown-clearance': { organization: 'F1', clearance: { confidentiality: 'X', sensitivity: ['HIV'] } },
};

const POLICIES: Record<string, LabellingPolicy> = {
  shipped,
  'hiv-sealed-sdv-locked': parseLabellingPolicy({
    format: 'envelope-labelling-policy/1',
    sealed: { confidentiality: ['R'], sensitivity: ['HIV'] },
    locked: { confidentiality: ['V'], sensitivity: ['SDV'] },
  }),
  'm-and-up-sealed-r-and-up-locked': parseLabellingPolicy({
    format: 'envelope-labelling-policy/1',
    sealed: { confidentiality: ['M', 'N'], sensitivity: 'any' },
    locked: { confidentiality: ['R', 'V'] },
  }),
  'nothing-locks': parseLabellingPolicy({ format: 'envelope-labelling-policy/1', sealed: { confidentiality: ['R', 'V'] }, locked: { confidentiality: [] } }),
};

function referral(id: string, security: Coding[]): r4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' },
    ...(security.length > 0 ? { meta: { security } } : {}),
  };
}

describe('policy/labels hiddenWhere and maskedWhere on a real store', function () {
  this.timeout(60_000);
  let store: Store;
  before(async () => {
    store = await openSqliteStore({ file: ':memory:', indexer: createIndexer(loadR4Registry()) });
    await store.transaction(async (tx) => {
      for (const [id, security] of Object.entries(LABELS)) await tx.create(referral(id, security));
    });
  });
  after(() => store.close());

  async function selected(cond: Cond): Promise<string[]> {
    const result = await store.search({
      types: ['ServiceRequest'], where: [], sort: [], count: 100, total: 'accurate', visibility: { ServiceRequest: cond },
    });
    expect(result.total).to.equal(result.matches.length);
    return result.matches.map((m) => m.id).sort();
  }

  const expected = (policy: LabellingPolicy, viewer: Viewer, view: 'hidden' | 'masked') =>
    Object.entries(LABELS).filter(([id, security]) => viewOf(referral(id, security), viewer, policy) === view).map(([id]) => id).sort();

  for (const [policyName, policy] of Object.entries(POLICIES)) {
    for (const [viewerName, viewer] of Object.entries(VIEWERS)) {
      it(`${policyName}, ${viewerName}: the store selects exactly what viewOf says`, async () => {
        const hidden = expected(policy, viewer, 'hidden');
        const masked = expected(policy, viewer, 'masked');
        expect(await selected(hiddenWhere(viewer, policy)), 'hidden').to.deep.equal(hidden);
        expect(await selected(maskedWhere(viewer, policy)), 'masked').to.deep.equal(masked);
        const visible = Object.keys(LABELS).filter((id) => !hidden.includes(id)).sort();
        expect(await selected(not(hiddenWhere(viewer, policy))), 'visible').to.deep.equal(visible);
      });
    }
  }

  it('hiddenWhere is FALSE outright when nothing can be locked', () => {
    for (const viewer of Object.values(VIEWERS)) expect(hiddenWhere(viewer, POLICIES['nothing-locks']!)).to.deep.equal(FALSE);
  });

  it('the matrix is not trivial: each view occurs for the shipped policy', () => {
    const views = new Set(Object.values(VIEWERS).flatMap((v) => Object.entries(LABELS).map(([id, s]) => viewOf(referral(id, s), v, shipped))));
    expect([...views].sort()).to.deep.equal(['full', 'hidden', 'masked']);
    expect(expected(shipped, VIEWERS['a-uncleared']!, 'hidden')).to.deep.equal(['v-no-team', 'v-team-b']);
    expect(expected(shipped, VIEWERS['c-r-hiv']!, 'masked')).to.deep.equal(['r-hiv-psy', 'r-psy-team-b', 'r-unknown-conf', 'sdv-only']);
  });
});
