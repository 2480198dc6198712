// A signing key and self-signed certificate for the test IdP, made with `openssl req -x509` (no key
// material is kept in the repository). Test and local use only: the key is unencrypted on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

/** Creates `<name>-key.pem` and `<name>-cert.pem` in dir, or reuses them when both are there. */
export function ensureKeyPair(dir: string, name: string, commonName: string): KeyPair {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365',
        '-subj', `/CN=${commonName}`, '-keyout', keyFile, '-out', certFile,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('The test IdP needs the openssl command to make its key and certificate; install OpenSSL');
      throw new Error(`openssl could not make a key pair: ${err.stderr?.toString().trim() ?? err.message}`);
    }
  }
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
