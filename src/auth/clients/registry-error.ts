// A fault in the registered-clients file, with the JSON path of the fault so an operator can find it.

export class ClientRegistryError extends Error {
  /** e.g. `clients[1].jwks.keys[0]`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`clients file ${path}: ${message}`);
    this.name = 'ClientRegistryError';
    this.path = path;
  }
}
