// `npm run saml-idp [-- --port 7000 --envelope http://localhost:8080]`: starts the test IdP with its
// demo users and prints the environment that starts Envelope against it. For local trials only.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSamlIdp } from './server.js';

const USAGE = `Usage: npm run saml-idp -- [--port <port>] [--envelope <Envelope's base URL>]

  --port <port>        where the IdP listens (default 7000, on 127.0.0.1)
  --envelope <url>     Envelope's base URL, where logout messages go (default http://localhost:8080)

The IdP's key and certificate are kept in DATA_DIR/saml-idp (default ./data/saml-idp).`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, envelope: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? '7000');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('--port must be a port number');
  const envelope = (values.envelope ?? 'http://localhost:8080').replace(/\/+$/, '');
  const keyDir = resolve(process.env['DATA_DIR'] ?? './data', 'saml-idp');
  const idp = await startSamlIdp({ keyDir, port, spSloUrl: `${envelope}/auth/saml/slo` });
  console.log(`Test SAML IdP (not for real use) at ${idp.url}, entity id ${idp.entityId}
Demo users: ${idp.users.map((u) => `${u.name} (${u.note})`).join('; ')}

Start Envelope against it in another terminal:

  SAML_IDP_SSO_URL=${idp.ssoUrl} \\
  SAML_IDP_SLO_URL=${idp.sloUrl} \\
  SAML_IDP_CERT_FILE=${idp.certFile} \\
  SAML_IDP_ISSUER=${idp.entityId} \\
  SAML_ATTR_NAME=displayName SAML_ATTR_PRACTITIONER=practitioner \\
  npm start

Then open ${envelope}/auth/saml/login and pick a user; you land on ${envelope}/auth/session.
Stop with Ctrl-C.`);
  const stop = () => {
    idp.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
