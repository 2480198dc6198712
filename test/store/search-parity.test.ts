// Search parity: the same FHIR queries, parsed by the real parser (registry from loadR4Registry) and
// indexed by the real indexer, run on every Store adapter — SQLite (a file in a temp dir), the
// MongoDB adapter over the in-memory double (which executes its real filters with mingo) in
// standalone and replica-set mode, and a real MongoDB when MONGODB_URI is set — and each compared with
// an in-memory oracle (./search-parity/oracle.ts): same resources, same order, same totals, and the
// same again when walked page by page through `next` cursors. Every query runs a second time with a
// visibility map, which must hide resources from results, totals, chains and _has alike.
//
// Three corpora ("worlds"), each seeded once into every store: the twelve served types (official
// examples + generated edge cases), Observation/RiskAssessment for the number, quantity and
// composite parameters no served type has, and 2,400 slots so that the SQLite planner's size-dependent
// paths (probe stages, index walks, the ordered walk over start) are taken too.
//
// Data: ./search-parity/corpus.ts. Queries: ./search-parity/queries.ts. Oracle: ./search-parity/oracle.ts. One `it` per query and mode.
// Focused tests for the src/search bugs it found: ./search-parity/regressions.test.ts.
import assert from 'node:assert/strict';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import type { Cond, SearchRequest } from '../../src/domain/search-types.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry, type SearchRegistry } from '../../src/search/registry.js';
import type { Indexer, SearchResult, Store } from '../../src/store/port.js';
import { BASE, distinctStamps, servedCorpus, volumeCorpus, wideCorpus, type Corpus } from './search-parity/corpus.js';
import { label, SERVED_GROUPS, VOLUME_GROUPS, WIDE_GROUPS, type Group, type Query } from './search-parity/queries.js';
import { runQuery } from './search-parity/run.js';
import { mongoDoubleTarget, realMongoTarget, seedTarget, sqliteTarget, type Target, type TargetSpec } from './search-parity/targets.js';
import { servedVisibility, volumeVisibility, wideVisibility } from './search-parity/visibility.js';

const uri = process.env.MONGODB_URI;
const SPECS: TargetSpec[] = [
  sqliteTarget(),
  mongoDoubleTarget('standalone'),
  mongoDoubleTarget('replicaSet'),
  ...(uri ? [realMongoTarget(uri)] : []),
];

interface World {
  name: string;
  registry: SearchRegistry;
  corpus: () => Corpus;
  groups: Group[];
  visibility: (registry: SearchRegistry) => Record<string, Cond>;
}

const served = loadR4Registry();
const WORLDS: World[] = [
  { name: 'the twelve served types (official examples + generated edge cases)', registry: served, corpus: () => servedCorpus(served.types), groups: SERVED_GROUPS, visibility: servedVisibility },
  {
    // No served type has a number, quantity or composite parameter in R4; these run on two more types.
    name: 'number, quantity and composite parameters (served types + Observation, RiskAssessment)',
    registry: loadR4Registry({ types: [...RESOURCE_TYPES, 'Observation', 'RiskAssessment'] }),
    corpus: wideCorpus,
    groups: WIDE_GROUPS,
    visibility: wideVisibility,
  },
  { name: 'booking volume (2,400 slots: the SQLite planner beyond its thresholds)', registry: served, corpus: volumeCorpus, groups: VOLUME_GROUPS, visibility: volumeVisibility },
];

/** The target with a store that answers searches wrongly in one way. */
function faulty(t: Target, fault: 'drop' | 'swap' | 'total' | 'repeat' | 'leak'): Target {
  const inner = t.store;
  const store: Store = Object.create(inner) as Store;
  store.search = async (req: SearchRequest): Promise<SearchResult> => {
    const r = await inner.search(fault === 'leak' ? { ...req, visibility: undefined } as SearchRequest : fault === 'repeat' ? { ...req, cursor: undefined } as SearchRequest : req);
    if (fault === 'drop' && r.matches.length > 0) r.matches = r.matches.slice(0, -1);
    if (fault === 'swap' && r.matches.length > 1) r.matches = [r.matches[1]!, r.matches[0]!, ...r.matches.slice(2)];
    if (fault === 'total' && r.total !== undefined) r.total += 1;
    return r;
  };
  return { ...t, store };
}

async function check(targets: Target[], query: Query, registry: SearchRegistry, visibility?: Record<string, Cond>): Promise<void> {
  const problems: string[] = [];
  let reference: { name: string; expected: string[] } | undefined;
  for (const t of targets) {
    const { expected, problems: p } = await runQuery(t, query, registry, visibility).catch((e: Error) => ({
      expected: [] as string[],
      problems: [`${t.name}: ${e.name === 'FhirError' ? e.message : (e.stack ?? e.message)}`],
    }));
    problems.push(...p);
    if (!reference) reference = { name: t.name, expected };
    else if (expected.join() !== reference.expected.join()) {
      problems.push(`the oracle answers differ between ${reference.name} and ${t.name}: the stores do not hold the same data`);
    }
    if (visibility) {
      const hidden = new Set(t.oracle.hidden(visibility).map((r) => `${r.type}/${r.id}`));
      const leaked = expected.filter((k) => hidden.has(k));
      if (leaked.length > 0) problems.push(`oracle returns hidden resources: ${leaked.join(', ')}`);
    }
  }
  const n = reference?.expected.length ?? 0;
  if (!visibility && query.empty && n > 0) problems.push(`meant to match nothing, the oracle finds ${n}`);
  if (!visibility && !query.empty && n === 0) problems.push('matches nothing in the corpus, so it tests no real answer (mark it `empty` if that is the point)');
  if (problems.length > 0) assert.fail(`${label(query)}${visibility ? ' (with visibility)' : ''}\n    ${problems.join('\n    ')}`);
}

/** One `it` per query; `visibility` is read when the test runs (the map is built in `before`). */
function queryTests(targets: () => Target[], world: World, visibility?: () => Record<string, Cond>): void {
  for (const group of world.groups) {
    describe(group.name, () => {
      for (const query of group.queries) {
        it(label(query), () => check(targets(), query, world.registry, visibility?.()));
      }
    });
  }
}

describe('search parity: every store answers every query as the oracle does', function () {
  this.timeout(120_000);

  if (!uri) {
    it('on a real MongoDB: pending, MONGODB_URI is not set (e.g. MONGODB_URI=mongodb://localhost:27017/?replicaSet=rs0 npm test)');
  }

  for (const world of WORLDS) {
    describe(world.name, () => {
      const targets: Target[] = [];
      let indexer: Indexer;
      let visibility: Record<string, Cond>;
      before(async function () {
        this.timeout(300_000);
        indexer = createIndexer(world.registry, { baseUrl: BASE });
        visibility = world.visibility(world.registry);
        const corpus = world.corpus();
        for (const spec of SPECS) targets.push(await seedTarget(spec, corpus, indexer));
      });
      after(async () => {
        for (const t of targets.splice(0)) await t.dispose();
      });

      it('every store holds the same live resources in the same _lastUpdated order', function () {
        if (!distinctStamps(world.corpus())) {
          const keys = (t: Target) => [...t.stamps.keys()].sort();
          for (const t of targets.slice(1)) assert.deepEqual(keys(t), keys(targets[0]!), `${t.name} vs ${targets[0]!.name}`);
          return;
        }
        const order = (t: Target) => [...t.stamps.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map(([k]) => k);
        const first = targets[0]!;
        assert.ok(first.oracle.resources.length > 0);
        for (const t of targets.slice(1)) {
          assert.deepEqual(order(t), order(first), `${t.name} vs ${first.name}`);
          assert.equal(new Set(t.stamps.values()).size, t.stamps.size, `${t.name}: every resource has its own stamp`);
        }
      });

      it('the visibility map hides some resources but not all, and some types only in part', () => {
        const hidden = targets[0]!.oracle.hidden(visibility);
        const all = targets[0]!.oracle.resources;
        assert.ok(hidden.length > 0 && hidden.length < all.length);
        const byType = new Set(hidden.map((r) => r.type));
        const partly = [...byType].filter((t) => all.some((r) => r.type === t && !hidden.includes(r)));
        assert.ok(partly.length > 0, 'some type is hidden only in part');
        if (world === WORLDS[0]) {
          assert.ok(!Object.hasOwn(visibility, 'AuditEvent'));
          assert.ok(all.filter((r) => r.type === 'AuditEvent').every((r) => hidden.includes(r)), 'AuditEvent is hidden entirely');
        }
      });

      if (world === WORLDS[0]) {
        it('the comparison notices a store that drops, reorders, miscounts, repeats or leaks', async () => {
          const sorted: Query = { types: ['Slot'], q: '_sort=start' };
          for (const fault of ['drop', 'swap', 'total', 'repeat', 'leak'] as const) {
            const t = faulty(targets[0]!, fault);
            const { problems } = await runQuery(t, fault === 'leak' ? { types: ['Slot'], q: 'status:not=free' } : sorted, world.registry, fault === 'leak' ? visibility : undefined);
            assert.ok(problems.length > 0, `a store that ${fault}s passed`);
          }
        });
      }
      queryTests(() => targets, world);
      describe('with visibility', () => queryTests(() => targets, world, () => visibility));
    });
  }
});
