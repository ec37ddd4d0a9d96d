// The local CA and the localhost certificate it signs, made with @peculiar/x509. Run in a
// worker thread on first start (tls-worker.ts): the library's ~12 MB go with the worker
// instead of staying in the server for its whole life.
import { webcrypto } from 'node:crypto';
import { loadX509 } from '../crypto/x509.js';

export interface TlsCertificates {
  /** The CA certificate, PEM. */
  readonly ca: string;
  /** The localhost certificate followed by the CA certificate, PEM. */
  readonly chain: string;
  /** The localhost certificate's private key, PKCS #8 PEM. */
  readonly key: string;
}

const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;

export async function makeTlsCertificates(nowMs: number): Promise<TlsCertificates> {
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const notBefore = new Date(nowMs - 60_000);
  const notAfter = new Date(nowMs + 825 * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nowMs.toString(16), name: 'CN=Monban local CA', notBefore, notAfter,
    keys: caKeys, signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: (nowMs + 1).toString(16), subject: 'CN=localhost', issuer: ca.subject,
    notBefore, notAfter, signingKey: caKeys.privateKey, publicKey: leafKeys.publicKey, signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }]),
    ],
  });
  return {
    ca: `${ca.toString('pem')}\n`,
    chain: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`,
    key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)),
  };
}
