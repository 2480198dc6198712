// The memory of verified tokens never outlives the token, nor a minute, and hands out copies.
import assert from 'node:assert/strict';
import { VerifiedTokens } from '../../src/auth/verified-tokens.js';
import type { Principal } from '../../src/domain/principal.js';

const principal = (): Principal => ({ sub: 'u', authMethod: 'jwt', role: 'gp-clinician', scopes: [{ context: 'user', type: '*', permissions: new Set(['r']) }] });

describe('auth: verified tokens', () => {
  it('forgets a token at its expiry (with the tolerance) and honours not-before', () => {
    let now = 1_000_000_000_000;
    const cache = new VerifiedTokens(() => now);
    cache.remember('t', principal(), { exp: now / 1000 + 30, nbf: now / 1000 + 5 }, 2);
    assert.equal(cache.get('t'), undefined, 'not yet valid (nbf - tolerance is still ahead)');
    now += 4_000;
    assert.equal(cache.get('t'), undefined, 'a miss removes the entry');
    cache.remember('t', principal(), { exp: now / 1000 + 26 }, 2);
    now += 27_000;
    assert.ok(cache.get('t'), 'within exp + tolerance');
    now += 2_000;
    assert.equal(cache.get('t'), undefined, 'past exp + tolerance');
  });

  it('keeps an entry at most a minute, and only tokens with an expiry', () => {
    let now = 1_000_000_000_000;
    const cache = new VerifiedTokens(() => now);
    cache.remember('long', principal(), { exp: now / 1000 + 3600 }, 0);
    cache.remember('forever', principal(), {}, 0);
    now += 59_000;
    assert.ok(cache.get('long'));
    assert.equal(cache.get('forever'), undefined);
    now += 2_000;
    assert.equal(cache.get('long'), undefined);
  });

  it('hands out copies: changing one does not change the next', () => {
    const cache = new VerifiedTokens(() => 0);
    cache.remember('t', principal(), { exp: 100 }, 0);
    const a = cache.get('t')!;
    a.role = 'auditor';
    a.scopes[0]!.permissions.add('d');
    const b = cache.get('t')!;
    assert.equal(b.role, 'gp-clinician');
    assert.deepEqual([...b.scopes[0]!.permissions], ['r']);
  });
});
