// node-saml's memory of the requests it sent (AuthnRequest and LogoutRequest ids), kept in the
// RecordStore so that a response is matched to its request whichever process, or which run of the
// server, sent it. With validateInResponseTo 'always', a response whose InResponseTo is not here is refused.
import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';
import type { RecordStore } from '../../domain/records.js';

export const SAML_REQUEST_KIND = 'saml-request';

export function recordCacheProvider(records: RecordStore, now: () => Date, ttlMs: number): CacheProvider {
  return {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      const at = now();
      await records.put({ kind: SAML_REQUEST_KIND, id: key, data: { value }, expiresAt: new Date(at.getTime() + ttlMs).toISOString() });
      return { value, createdAt: at.getTime() };
    },
    async getAsync(key: string): Promise<string | null> {
      if (!key) return null;
      const rec = await records.get(SAML_REQUEST_KIND, key, now().toISOString());
      const value = rec?.data['value'];
      return typeof value === 'string' ? value : null;
    },
    async removeAsync(key: string | null): Promise<string | null> {
      if (!key) return null;
      const rec = await records.get(SAML_REQUEST_KIND, key, now().toISOString());
      await records.delete(SAML_REQUEST_KIND, key);
      const value = rec?.data['value'];
      return typeof value === 'string' ? value : null;
    },
  };
}
