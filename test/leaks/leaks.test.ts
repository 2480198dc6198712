// The table-driven leak suite (issue 7, "No leaks"): every read path × every reason to hide × every
// role of the default policy, on both stores, asserting on the raw bytes of each response that no
// hidden id, element or label appears, and that an answer about a hidden thing is the answer about
// a missing one. Controls run every path as a principal who MAY see each target, proving that each
// path does reach what it is checked against. A timing check compares reads of hidden and missing ids.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComposeOptions } from '../../src/compose.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { MongoDouble } from '../store/mongo-double/index.js';
import { judge } from './oracle.js';
import { PATHS, type Path } from './paths.js';
import { requestBytes, sender, type Exchange, type ReadCache, type Send } from './raw.js';
import { REASONS, type TargetPair } from './reasons.js';
import { BASE, BREAK_GLASS_MINUTES, buildWorld, ROLES, T0, WORLD, type World } from './world.js';

/** Reads of a hidden and of a missing id each, for the timing check. */
const TIMED_READS = 200;

/**
 * The stores, and how many of the timing cases each runs. The MongoDB double executes filters with
 * mingo over every document (about 10 to 30 ms a request here), so its timings say little about a
 * real server and cost much: it runs one case, enough to catch a store-level shortcut for missing ids.
 */
const STORES: { name: string; opts: ComposeOptions; timingCases: number }[] = [
  { name: 'SQLite', opts: {}, timingCases: 3 },
  { name: 'MongoDB double, replica set', opts: { openStore: (indexer) => openMongoStore({ client: new MongoDouble({ topology: 'replicaSet' }), indexer }) }, timingCases: 1 },
];

/** Placeholder world for deciding, before `before` runs, which tests exist (types do not depend on it). */
const STATIC = { auditEventId: '0000000000000001' };

/** Only these paths can show what was hidden in an earlier version alone (the current one is open). */
const EARLIER_VERSION_PATHS = new Set(['vread of each version', 'instance history', 'batch: read, vread and history of it']);

function controlApplies(path: Path, pair: TargetPair): boolean {
  if (pair.target.key.startsWith('was-') && !EARLIER_VERSION_PATHS.has(path.name)) return false;
  return path.control ? path.control(pair.target) : !path.writes;
}

async function run(send: Send, path: Path, pair: TargetPair): Promise<{ got: Exchange[]; missing: Exchange[] }> {
  const got = await path.run(send, pair.target);
  const missing = await path.run(send, pair.twin);
  return { got, missing };
}

/** One Envelope with the world built, listening, with a read cache per principal. */
interface Running {
  env: TestEnvelope;
  w: World;
  server: Server;
  cache: ReadCache;
  as(auth: string): Send;
}

/**
 * Registers before/after hooks that start an Envelope on `store` and build the world in it. Each
 * role gets one of its own: what one role's write paths create never meets another role's tests,
 * and the audit trail (which grows with every request) stays small, which the MongoDB double,
 * scanning every document on each query, needs.
 */
function useEnvelope(store: (typeof STORES)[number]): () => Running {
  let running: Running | undefined;
  before(async () => {
    const clock = { now: T0 };
    const env = await startEnvelope(
      { PUBLIC_BASE_URL: BASE, BREAK_GLASS_MINUTES: String(BREAK_GLASS_MINUTES) },
      { ...store.opts, now: () => clock.now },
    );
    const w = await buildWorld(env, clock);
    const server = createServer(env.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    assert.ok((server.address() as AddressInfo).port > 0);
    const cache: ReadCache = new Map();
    running = { env, w, server, cache, as: (auth) => sender(server, auth, cache) };
  });
  after(async () => {
    if (!running) return;
    const { server, env } = running;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await env.stop();
  });
  return () => {
    assert.ok(running, 'the Envelope is running');
    return running;
  };
}

describe('leaks: the table and the oracle themselves', () => {
  const norel = REASONS.find((r) => r.name === 'no relationship')!.targets('gp-clinician', STATIC)[0]!;
  const sealed = REASONS.find((r) => r.name === 'sealed')!.targets('gp-clinician', STATIC)[0]!;
  const readPath = PATHS.find((p) => p.name === 'read')!;
  const answer = (url: string, status: number, text: string): Exchange => ({ req: { method: 'GET', url }, status, headers: { 'content-type': 'application/fhir+json' }, text });
  const refused = (id: string) => JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: `ServiceRequest/${id} is not available to you` }] });

  it('the oracle accepts the same refusal for hidden and missing, and flags a different status, text or a marker', () => {
    const hiddenUrl = `/fhir/ServiceRequest/${norel.target.id}`;
    const missingUrl = `/fhir/ServiceRequest/${norel.twin.id}`;
    const same = judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 403, refused(norel.target.id))], [answer(missingUrl, 403, refused(norel.twin.id))]);
    assert.deepEqual(same.leaks, []);
    const status = judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 404, refused(norel.target.id))], [answer(missingUrl, 403, refused(norel.twin.id))]);
    assert.equal(status.leaks.length, 1);
    const text = judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 403, refused(`${norel.target.id} (exists)`))], [answer(missingUrl, 403, refused(norel.twin.id))]);
    assert.equal(text.leaks.length, 1);
    const marker = judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 403, `${refused(norel.target.id)} norel-sr-note-0d4c`)], [answer(missingUrl, 403, refused(norel.twin.id))]);
    assert.ok(marker.leaks.some((l) => l.includes("'norel-sr-note-0d4c'")), marker.leaks.join('\n'));
  });

  it('the oracle holds a documented disclosure of existence to a refusal, and still to no marker', () => {
    const hiddenUrl = `/fhir/ServiceRequest/${norel.target.id}`;
    const missingUrl = `/fhir/ServiceRequest/${norel.twin.id}`;
    const created = answer(missingUrl, 201, '{}');
    assert.deepEqual(judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 404, refused(norel.target.id))], [created], true).leaks, []);
    assert.equal(judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 200, refused(norel.target.id))], [created], true).leaks.length, 1);
    assert.equal(judge(norel.target, norel.twin, readPath, [answer(hiddenUrl, 404, `${refused(norel.target.id)} norel-sr-note-0d4c`)], [created], true).leaks.length, 1);
  });

  it('the oracle lets a masked resource out, but not its sealed note, nor a label in a header or a paging cursor', () => {
    const url = `/fhir/ServiceRequest/${sealed.target.id}`;
    const masked = JSON.stringify({ resourceType: 'ServiceRequest', id: sealed.target.id, meta: { security: [{ code: 'REDACTED' }] } });
    assert.deepEqual(judge(sealed.target, sealed.twin, readPath, [answer(url, 200, masked)], [answer(url, 404, '')]).leaks, []);
    assert.equal(judge(sealed.target, sealed.twin, readPath, [answer(url, 200, masked.replace('REDACTED', 'sealed-note-7f3a'))], []).leaks.length, 1);
    const header = { ...answer(url, 200, masked), headers: { link: `<${BASE}/fhir/x?_cursor=${Buffer.from(JSON.stringify({ k: ['SEAL7Q'] })).toString('base64url')}>` } };
    assert.equal(judge(sealed.target, sealed.twin, readPath, [header], []).leaks.length, 1);
  });

  it('the oracle judges each entry of a batch on its own', () => {
    const batchPath = PATHS.find((p) => p.name === 'batch: read, vread and history of it')!;
    const urls = [`ServiceRequest/${norel.target.id}`, `ServiceRequest/${norel.twin.id}`];
    const batchOf = (url: string, status: string): Exchange => ({
      req: { method: 'POST', url: '/fhir', body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url } }] } },
      status: 200, headers: {}, text: JSON.stringify({ resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status } }] }),
    });
    assert.deepEqual(judge(norel.target, norel.twin, batchPath, [batchOf(urls[0]!, '403')], [batchOf(urls[1]!, '403')]).leaks, []);
    assert.equal(judge(norel.target, norel.twin, batchPath, [batchOf(urls[0]!, '200')], [batchOf(urls[1]!, '403')]).leaks.length, 1);
  });

  it('every role of the policy file has something hidden from it for every reason', () => {
    for (const role of ROLES) {
      for (const reason of REASONS) assert.ok(reason.targets(role, STATIC).length > 0, `${role}: nothing hidden for '${reason.name}'`);
    }
  });

  it('twins match nothing in the world, and a marker a request carries is always a token (which the twin replaces)', async () => {
    const world = JSON.stringify(WORLD);
    for (const role of ROLES) {
      for (const reason of REASONS) {
        for (const { target, twin } of reason.targets(role, STATIC)) {
          for (const [name, value] of Object.entries(twin.tokens)) {
            assert.notEqual(value, target.tokens[name], `${target.key}: twin token ${name} equals the target's`);
            assert.ok(!world.includes(value), `${target.key}: twin token ${name}=${value} occurs in the world`);
          }
          const tokenValues = Object.values(target.tokens);
          for (const path of PATHS.filter((p) => p.applies(target))) {
            // Build the requests without a server: every answer is an empty 404.
            const reqs: string[] = [];
            await path.run(async (req) => {
              reqs.push(requestBytes(req));
              return { req, status: 404, headers: {}, text: '' };
            }, target);
            for (const m of target.markers) {
              if (tokenValues.some((v) => m.includes(v))) continue;
              assert.ok(reqs.every((r) => !r.includes(m)), `${target.key}, ${path.name}: the request carries marker ${m}, which is no token`);
            }
          }
        }
      }
    }
  });
});

for (const store of STORES) {
  describe(`leaks: every path × every reason to hide × every role (${store.name})`, function () {
    this.timeout(300_000);

    for (const role of ROLES) {
      describe(`role ${role}`, () => {
        const ctx = useEnvelope(store);
        for (const reason of REASONS) {
          const targets = reason.targets(role, STATIC);
          describe(reason.name, () => {
            for (const path of PATHS) {
              if (!targets.some((p) => path.applies(p.target))) continue;
              it(path.name, async () => {
                const { w, as } = ctx();
                const send = as(w.tokens[role]!);
                const problems: string[] = [];
                for (const pair of reason.targets(role, w)) {
                  if (!path.applies(pair.target)) continue;
                  const { got, missing } = await run(send, path, pair);
                  const v = judge(pair.target, pair.twin, path, got, missing, path.existenceShown?.(pair.target, role) ?? false);
                  problems.push(...[...v.leaks, ...v.inconsistencies].map((p) => `[${pair.target.key}] ${p}`));
                }
                assert.deepEqual(problems, [], problems.join('\n\n'));
              });
            }
          });
        }
      });
    }

    describe('controls: a principal who may see each target does see it through each path', () => {
      const ctx = useEnvelope(store);
      const seen = new Map<string, { reason: string; index: number; role: string }>();
      for (const role of ROLES) {
        for (const reason of REASONS) {
          reason.targets(role, STATIC).forEach((p, index) => {
            if (!seen.has(p.target.key)) seen.set(p.target.key, { reason: reason.name, index, role });
          });
        }
      }
      for (const [key, where] of seen) {
        const reason = REASONS.find((r) => r.name === where.reason)!;
        const staticPair = reason.targets(where.role, STATIC)[where.index]!;
        describe(`${key} (${where.reason}), seen by ${staticPair.target.control}`, () => {
          for (const path of PATHS) {
            if (!path.applies(staticPair.target) || !controlApplies(path, staticPair)) continue;
            it(path.name, async () => {
              const { w, as } = ctx();
              const pair = reason.targets(where.role, w)[where.index]!;
              const { got, missing } = await run(as(w.controls[pair.target.control]), path, pair);
              const v = judge(pair.target, pair.twin, path, got, missing);
              assert.deepEqual(v.inconsistencies, []);
              assert.ok(v.leaks.length > 0, `the control saw nothing of ${key}: ${got.map((x) => `${x.req.method} ${x.req.url} -> ${x.status} ${x.text.slice(0, 300)}`).join('\n')}`);
            });
          }
        });
      }
    });

    describe('timing: reading a hidden id takes as long as reading a missing one', () => {
      const ctx = useEnvelope(store);
      const CASES = [
        { role: 'consultant', hidden: 'ServiceRequest/hidden-locked-sr', missing: 'ServiceRequest/nothere-locked-sr', why: 'sealed and locked' },
        { role: 'gp-clinician', hidden: 'ServiceRequest/hidden-norel-sr', missing: 'ServiceRequest/nothere-norel-sr', why: 'no relationship' },
        { role: 'booking-clerk', hidden: 'Appointment/hidden-consent-appt', missing: 'Appointment/nothere-consent-appt', why: 'consent deny' },
      ];
      for (const c of CASES.slice(0, store.timingCases)) {
        it(`${c.why} (${c.role}): medians over ${TIMED_READS} reads each within max(1 ms, 30%)`, async () => {
          const { w, server } = ctx();
          // Uncached: every read goes to the server.
          const send = sender(server, w.tokens[c.role]!);
          const time = async (url: string) => {
            const t = process.hrtime.bigint();
            const x = await send({ method: 'GET', url: `/fhir/${url}` });
            return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: x.status };
          };
          // Warm up both, then alternate which goes first, so that drift (GC, the audit log growing) hits both alike.
          for (let i = 0; i < 10; i++) { await time(c.hidden); await time(c.missing); }
          const hidden: number[] = [];
          const missing: number[] = [];
          for (let i = 0; i < TIMED_READS; i++) {
            const hiddenFirst = i % 2 === 0;
            const a = await time(hiddenFirst ? c.hidden : c.missing);
            const b = await time(hiddenFirst ? c.missing : c.hidden);
            (hiddenFirst ? hidden : missing).push(a.ms);
            (hiddenFirst ? missing : hidden).push(b.ms);
            assert.equal(a.status, b.status);
          }
          const mh = median(hidden);
          const mm = median(missing);
          const bound = Math.max(1, 0.3 * mm);
          console.log(`      timing ${store.name}, ${c.why} (${c.role}): hidden median ${mh.toFixed(3)} ms, missing median ${mm.toFixed(3)} ms, bound ${bound.toFixed(3)} ms`);
          assert.ok(Math.abs(mh - mm) <= bound, `hidden ${mh.toFixed(3)} ms vs missing ${mm.toFixed(3)} ms`);
        });
      }
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
