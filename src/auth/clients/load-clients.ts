// Reads AUTH_CLIENTS_FILE once at start-up; changing the registered clients means a restart.
import { readFile } from 'node:fs/promises';
import { parseClientRegistry, type ClientRegistry, type RoleScopes } from './client-registry.js';

export async function loadClientRegistry(file: string, roleScopes: RoleScopes): Promise<ClientRegistry> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`AUTH_CLIENTS_FILE ${file}: ${(e as Error).message}`);
  }
  try {
    return parseClientRegistry(json, roleScopes);
  } catch (e) {
    throw new Error(`AUTH_CLIENTS_FILE ${file}: ${(e as Error).message}`);
  }
}
