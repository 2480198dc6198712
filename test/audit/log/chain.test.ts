// The chain rule itself (docs/audit.md): canonical JSON, what the hash covers, sealing an event.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AUDIT_CHAIN_URL, canonicalJson, computeHash, GENESIS_HASH, readChainLink, sealEvent,
} from '../../../src/audit/chain.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import { auditEvent } from './fixtures.js';

describe('audit/chain: canonical JSON', () => {
  it('sorts keys recursively, keeps array order, writes no whitespace', () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    assert.equal(canonicalJson(value), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('orders keys by UTF-16 code unit and escapes strings as JSON does', () => {
    assert.equal(canonicalJson({ é: 1, b: 2, B: 3, a: 4 }), '{"B":3,"a":4,"b":2,"é":1}');
    assert.equal(canonicalJson({ s: 'quote " back \\ nl \n tab \t \u0001' }), '{"s":"quote \\" back \\\\ nl \\n tab \\t \\u0001"}');
    assert.equal(canonicalJson([1.5, -0, 1e21, 0.1]), '[1.5,0,1e+21,0.1]');
  });

  it('is the same for the same content whatever the key order', () => {
    assert.equal(canonicalJson(JSON.parse('{"x":{"q":1,"p":[2]},"w":"v"}')), canonicalJson({ w: 'v', x: { p: [2], q: 1 } }));
  });

  it('refuses what is not JSON data (it would not survive being stored)', () => {
    for (const bad of [undefined, { a: undefined }, [undefined], Number.NaN, Infinity, new Date(0), () => 1, 1n, { m: new Map() }]) {
      assert.throws(() => canonicalJson(bad), TypeError, String(bad));
    }
  });
});

describe('audit/chain: the hash', () => {
  const hashSub = (h: string) => ({ url: 'hash', valueString: h });
  const stored = {
    resourceType: 'AuditEvent',
    id: '0000000000000001',
    meta: { versionId: '3', lastUpdated: '2025-01-01T00:00:00.000Z', security: [{ code: 'R' }] },
    recorded: '2025-01-01T00:00:00Z',
    extension: [
      { url: 'urn:other', valueString: 'kept' },
      { url: AUDIT_CHAIN_URL, extension: [{ url: 'sequence', valueString: '1' }, { url: 'previous', valueString: GENESIS_HASH }, hashSub('f'.repeat(64))] },
    ],
  };
  // Written out by hand from docs/audit.md, so the test does not trust the canonicaliser it checks.
  const expectedCanonical =
    '{"extension":[{"url":"urn:other","valueString":"kept"},{"extension":[{"url":"sequence","valueString":"1"},' +
    `{"url":"previous","valueString":"${GENESIS_HASH}"}],"url":"${AUDIT_CHAIN_URL}"}],"id":"0000000000000001",` +
    '"meta":{"security":[{"code":"R"}]},"recorded":"2025-01-01T00:00:00Z","resourceType":"AuditEvent"}';

  it('is SHA-256 of the previous hash bytes then the canonical JSON without meta stamps and without the hash', () => {
    const expected = createHash('sha256').update(Buffer.alloc(32)).update(expectedCanonical, 'utf8').digest('hex');
    assert.equal(computeHash(GENESIS_HASH, stored), expected);
  });

  it('depends on the previous hash, on security labels, and not on versionId, lastUpdated or the hash value', () => {
    const h = computeHash(GENESIS_HASH, stored);
    assert.notEqual(computeHash('1'.repeat(64), stored), h);
    assert.notEqual(computeHash(GENESIS_HASH, { ...stored, meta: { ...stored.meta, security: [{ code: 'N' }] } }), h);
    assert.equal(computeHash(GENESIS_HASH, { ...stored, meta: { versionId: '9', lastUpdated: '2030-01-01T00:00:00.000Z', security: [{ code: 'R' }] } }), h);
    const otherHash = structuredClone(stored);
    otherHash.extension[1]!.extension![2] = hashSub('0'.repeat(64));
    assert.equal(computeHash(GENESIS_HASH, otherHash), h);
  });

  it('refuses a malformed previous hash', () => {
    assert.throws(() => computeHash('ABC', stored), TypeError);
  });
});

describe('audit/chain: sealing an event', () => {
  it('sets the id and the chain link, keeps other extensions, and leaves the input alone', () => {
    const input = auditEvent(1, { extension: [{ url: 'urn:other', valueCode: 'x' }] });
    const before = JSON.stringify(input);
    const sealed = sealEvent(input, 42n, 'a'.repeat(64));
    assert.equal(JSON.stringify(input), before);
    assert.equal(sealed.id, '0000000000000042');
    assert.deepEqual(sealed.extension?.[0], { url: 'urn:other', valueCode: 'x' });
    const link = readChainLink(sealed);
    assert.equal(link?.sequence, 42n);
    assert.equal(link?.previous, 'a'.repeat(64));
    assert.equal(link?.hash, computeHash('a'.repeat(64), sealed));
  });

  it('replaces a chain extension the event arrived with (an audit source cannot forge its link)', () => {
    const forged = { url: AUDIT_CHAIN_URL, extension: [{ url: 'sequence', valueString: '7' }, { url: 'previous', valueString: 'b'.repeat(64) }, { url: 'hash', valueString: 'c'.repeat(64) }] };
    const sealed = sealEvent(auditEvent(1, { id: 'mine', extension: [forged] }), 3n, GENESIS_HASH);
    assert.equal(sealed.id, '0000000000000003');
    assert.equal(sealed.extension?.filter((e) => e.url === AUDIT_CHAIN_URL).length, 1);
    assert.equal(readChainLink(sealed)?.sequence, 3n);
  });

  it('produces a valid R4 AuditEvent', () => {
    const plain = auditEvent(1);
    assert.deepEqual(validateResource(plain), []);
    assert.deepEqual(validateResource(sealEvent(plain, 1n, GENESIS_HASH)), []);
  });

  it('reads no link from a malformed or doubled chain extension', () => {
    const sealed = sealEvent(auditEvent(1), 1n, GENESIS_HASH);
    const doubled = { ...sealed, extension: [...sealed.extension!, ...sealed.extension!] };
    assert.equal(readChainLink(doubled), undefined);
    const badSequence = structuredClone(sealed);
    badSequence.extension![0]!.extension![0]!.valueString = '01';
    assert.equal(readChainLink(badSequence), undefined);
    const extraSub = structuredClone(sealed);
    extraSub.extension![0]!.extension!.push({ url: 'hash', valueString: 'd'.repeat(64) });
    assert.equal(readChainLink(extraSub), undefined);
    assert.equal(readChainLink(auditEvent(1)), undefined);
  });
});
