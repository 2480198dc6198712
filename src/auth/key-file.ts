// Private signing keys kept in DATA_DIR (the development issuer's, Envelope's own token key): made
// once, never readable by others. Shared by both so the two cannot drift apart.
import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import type { JWK } from 'jose';

/**
 * Writes the key with O_EXCL semantics via link(): the file appears complete or not at all, and of
 * several processes starting together on one DATA_DIR, all end up with the first one's key.
 */
export async function writeKeyOnce(file: string, jwk: JWK): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await chmod(tmp, 0o600); // in case the umask was odd; never wider than owner read/write
    await link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Like ssh: a signing key others can read lets them mint tokens. */
export async function checkPrivate(file: string): Promise<void> {
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users; run: chmod 600 ${file}`);
  }
}

/** The key file's text, creating the file (in a 0700 folder) with `create()` on first use. */
export async function readOrCreateKey(dir: string, file: string, create: () => Promise<JWK>): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await writeKeyOnce(file, await create());
    text = await readFile(file, 'utf8');
  }
  await checkPrivate(file);
  return text;
}
