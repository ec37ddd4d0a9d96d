// First start: tenant, keys, local CA + TLS certificate, bootstrap administrator and admin
// application; bootstrap.json (0600) shows their secrets once. Later starts reuse everything.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TlsCertificates } from './tls-certificates.js';
import type { Directory } from '../directory/directory.js';
import { globalAdministratorRoleId, graphAppId, graphAppRoles } from '../directory/well-known.js';
import { generatePassword } from '../crypto/secrets.js';
import type { Clock } from '../clock.js';


export interface BootstrapFile {
  issuer: string;
  tenantId: string;
  caCertFile: string;
  adminClient: { clientId: string; clientSecret: string };
  adminUser: { userPrincipalName: string; password: string };
}

export interface TlsMaterial { cert: string; key: string; caCertFile: string }

/** Makes the certificates in a worker thread, so that the X.509 library is not kept loaded. */
function makeInWorker(nowMs: number): Promise<TlsCertificates> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./tls-worker.js', import.meta.url), { workerData: { nowMs } });
    let made: TlsCertificates | undefined;
    worker.once('message', (value: TlsCertificates) => { made = value; });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (made !== undefined) resolve(made);
      else reject(new Error(`the TLS certificates could not be made (worker exit code ${String(code)})`));
    });
  });
}

/** A local CA and a localhost certificate it signs, kept in the data directory. */
export async function ensureTls(dataDir: string, clock: Clock): Promise<TlsMaterial> {
  const caCertFile = join(dataDir, 'ca.crt');
  const certFile = join(dataDir, 'tls.crt');
  const keyFile = join(dataDir, 'tls.key');
  if (existsSync(caCertFile) && existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caCertFile };
  }
  const made = await makeInWorker(clock.now().getTime());
  writeFileSync(caCertFile, made.ca);
  writeFileSync(certFile, made.chain);
  writeFileSync(keyFile, made.key, { mode: 0o600 });
  return { cert: made.chain, key: made.key, caCertFile };
}

/** Creates the tenant and bootstrap principals once; returns the tenant id. */
export async function ensureTenant(directory: Directory, dataDir: string, origin: string, caCertFile: string): Promise<{ tenantId: string; created: boolean }> {
  const existing = await directory.getTenant();
  await directory.ensureBuiltInResources();
  if (existing) return { tenantId: existing.id, created: false };
  const tenant = await directory.createTenant('Monban', 'monban.local');
  const password = generatePassword();
  const admin = await directory.createUser({ userPrincipalName: 'admin@monban.local', displayName: 'Monban Administrator', password });
  await directory.assignRole(globalAdministratorRoleId, admin.id);
  const { application, servicePrincipal } = await directory.createApplication({ displayName: 'Monban bootstrap admin', redirectUris: ['http://localhost'] });
  const secret = await directory.addSecret(application.id, 'bootstrap', 365 * 2);
  const graphSp = await directory.getServicePrincipalByAppId(graphAppId);
  if (graphSp) for (const role of graphAppRoles) await directory.grantAppRole(servicePrincipal.id, graphSp.id, role.id);
  const file: BootstrapFile = {
    issuer: `${origin}/${tenant.id}/v2.0`,
    tenantId: tenant.id,
    caCertFile,
    adminClient: { clientId: application.app_id, clientSecret: secret.secretText },
    adminUser: { userPrincipalName: admin.user_principal_name, password },
  };
  writeFileSync(join(dataDir, 'bootstrap.json'), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return { tenantId: tenant.id, created: true };
}
