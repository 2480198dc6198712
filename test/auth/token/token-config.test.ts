// AUTH_CLIENTS_FILE, AUTH_SIGNING_KEY_FILE, AUTH_TOKEN_ISSUER, AUTH_TOKEN_TTL_SEC.
import assert from 'node:assert/strict';
import { tokenEndpointConfigFromEnv } from '../../../src/auth/config.js';

describe('auth/config: token endpoint settings', () => {
  it('defaults: no clients, generated key, issuer from PUBLIC_BASE_URL or localhost:PORT, 300 s', () => {
    assert.deepEqual(tokenEndpointConfigFromEnv({}, { port: 8080 }), { issuer: 'http://localhost:8080', ttlSec: 300 });
    assert.deepEqual(tokenEndpointConfigFromEnv({}, { port: 9000, publicBaseUrl: 'https://envelope.example.org' }),
      { issuer: 'https://envelope.example.org', ttlSec: 300 });
  });

  it('reads every variable', () => {
    const c = tokenEndpointConfigFromEnv({
      AUTH_CLIENTS_FILE: ' /etc/envelope/clients.json ', AUTH_SIGNING_KEY_FILE: '/run/secrets/key.pem',
      AUTH_TOKEN_ISSUER: 'https://auth.example.org/envelope', AUTH_TOKEN_TTL_SEC: '120',
    }, { port: 8080, publicBaseUrl: 'https://envelope.example.org' });
    assert.deepEqual(c, {
      clientsFile: '/etc/envelope/clients.json', signingKeyFile: '/run/secrets/key.pem',
      issuer: 'https://auth.example.org/envelope', ttlSec: 120,
    });
  });

  it('refuses a bad TTL or issuer, naming the variable', () => {
    for (const ttl of ['0', '3601', '5m', '-1', '1.5']) {
      assert.throws(() => tokenEndpointConfigFromEnv({ AUTH_TOKEN_TTL_SEC: ttl }, { port: 8080 }), /AUTH_TOKEN_TTL_SEC must be an integer from 1 to 3600/);
    }
    for (const iss of ['envelope', 'urn:envelope:x', 'ftp://x.example']) {
      assert.throws(() => tokenEndpointConfigFromEnv({ AUTH_TOKEN_ISSUER: iss }, { port: 8080 }), /AUTH_TOKEN_ISSUER/);
    }
  });
});
