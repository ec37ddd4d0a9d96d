// First start: tenant, keys, local CA + TLS certificate, bootstrap administrator and admin
// application; bootstrap.json (0600) shows their secrets once. Later starts reuse everything.
import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadX509 } from '../crypto/x509.js';
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

const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;

/** A local CA and a localhost certificate it signs, kept in the data directory. */
export async function ensureTls(dataDir: string, clock: Clock): Promise<TlsMaterial> {
  const caCertFile = join(dataDir, 'ca.crt');
  const certFile = join(dataDir, 'tls.crt');
  const keyFile = join(dataDir, 'tls.key');
  if (existsSync(caCertFile) && existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caCertFile };
  }
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const now = clock.now();
  const notAfter = new Date(now.getTime() + 825 * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16), name: 'CN=Monban local CA', notBefore: new Date(now.getTime() - 60_000), notAfter,
    keys: caKeys, signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: (Date.now() + 1).toString(16), subject: 'CN=localhost', issuer: ca.subject,
    notBefore: new Date(now.getTime() - 60_000), notAfter, signingKey: caKeys.privateKey, publicKey: leafKeys.publicKey, signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }]),
    ],
  });
  const key = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  writeFileSync(caCertFile, ca.toString('pem') + '\n');
  writeFileSync(certFile, `${leaf.toString('pem')}\n${ca.toString('pem')}\n`);
  writeFileSync(keyFile, key, { mode: 0o600 });
  return { cert: readFileSync(certFile, 'utf8'), key, caCertFile };
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
