// Application certificates (Graph keyCredentials): an admin uploads the base64 DER of an X.509
// certificate; the application then authenticates with client assertions (private_key_jwt)
// signed by the certificate's private key. The public key is kept as a JWK whose kid is the
// base64url SHA-1 thumbprint, so an assertion naming the certificate by `kid` or by `x5t`
// (as the reference's clients do) finds it.
import { createPublicKey, randomUUID } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from '../crypto/x509.js';
import { exportJWK } from 'jose';
import { z } from 'zod';
import { MonbanError } from '../errors/catalogue.js';


/** A certificate ready to be stored: what the directory keeps for one keyCredential. */
export interface NewCertificate {
  keyId: string;
  displayName: string | null;
  /** SHA-1 thumbprint, upper-case hex (Graph's customKeyIdentifier). */
  thumbprint: string;
  jwk: Record<string, unknown>;
  startDateTime: string;
  endDateTime: string;
}

/** A stored certificate as the directory returns it. */
export type StoredCertificate = NewCertificate;

const certificateLimit = 16 * 1024;

export const keyCredentialSchema = z.object({
  type: z.literal('AsymmetricX509Cert', { error: 'only "AsymmetricX509Cert" key credentials are supported' }),
  usage: z.literal('Verify', { error: 'only "Verify" key credentials (client authentication) are supported' }),
  key: z.string().max(certificateLimit * 2, 'the certificate is too large').nullable().optional(),
  keyId: z.string().uuid().optional(),
  displayName: z.string().max(256).nullable().optional(),
  customKeyIdentifier: z.string().max(256).nullable().optional(),
  startDateTime: z.string().datetime({ offset: true }).nullable().optional(),
  endDateTime: z.string().datetime({ offset: true }).nullable().optional(),
}).passthrough();
export const keyCredentialsSchema = z.array(keyCredentialSchema).max(50, 'an application holds at most 50 key credentials');
export type KeyCredentialInput = z.infer<typeof keyCredentialSchema>;

const fail = (index: number, message: string): MonbanError =>
  new MonbanError('validation_failed', `keyCredentials.${index}.key: ${message}`, [{ target: `keyCredentials.${index}.key`, message }]);

function decodeBase64(text: string, index: number): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw fail(index, 'is not valid base64; send the base64 encoding of the DER certificate (a .cer file)');
  }
  const der = Buffer.from(compact, 'base64');
  if (der.length > certificateLimit) throw fail(index, `the certificate is larger than ${certificateLimit} bytes`);
  return der;
}

/** Parses one uploaded certificate; throws a Graph validation error naming what is wrong. */
export async function parseCertificate(base64: string, index: number, now: Date): Promise<Omit<NewCertificate, 'keyId' | 'displayName'>> {
  const der = decodeBase64(base64, index);
  const x509 = await loadX509();
  let cert: X509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch {
    throw fail(index, 'is not an X.509 certificate');
  }
  if (cert.notAfter.getTime() <= now.getTime()) throw fail(index, `the certificate expired on ${cert.notAfter.toISOString()}`);
  if (cert.notBefore.getTime() >= cert.notAfter.getTime()) throw fail(index, 'the certificate is never valid (notBefore is not before notAfter)');

  let publicKey;
  try {
    publicKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw fail(index, 'the certificate\'s public key cannot be read');
  }
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw fail(index, `RSA keys must be at least 2048 bits (this one has ${details.modulusLength ?? 0})`);
  } else if (type === 'ec') {
    if (details.namedCurve !== 'prime256v1') throw fail(index, `EC keys must be on the P-256 curve (this one is on ${details.namedCurve ?? 'an unknown curve'})`);
  } else {
    throw fail(index, `the key type "${type ?? 'unknown'}" is not supported; use an RSA (2048 bits or more) or EC P-256 key`);
  }

  const sha1 = Buffer.from(await cert.getThumbprint('SHA-1'));
  const sha256 = Buffer.from(await cert.getThumbprint('SHA-256'));
  const x5t = sha1.toString('base64url');
  const jwk = {
    ...(await exportJWK(publicKey)),
    use: 'sig',
    kid: x5t,
    x5t,
    'x5t#S256': sha256.toString('base64url'),
    x5c: [der.toString('base64')],
  };
  return {
    thumbprint: sha1.toString('hex').toUpperCase(),
    jwk,
    startDateTime: cert.notBefore.toISOString(),
    endDateTime: cert.notAfter.toISOString(),
  };
}

/**
 * Turns the keyCredentials of a PATCH (the full new set, as Graph requires) into certificates
 * to store. An entry without `key` keeps the existing credential with that keyId. Everything
 * is checked before anything is written.
 */
export async function prepareKeyCredentials(input: readonly KeyCredentialInput[], existing: readonly StoredCertificate[], now: Date): Promise<NewCertificate[]> {
  const out: NewCertificate[] = [];
  for (const [index, entry] of input.entries()) {
    if (entry.key === undefined || entry.key === null) {
      const kept = entry.keyId ? existing.find((c) => c.keyId === entry.keyId) : undefined;
      if (!kept) throw fail(index, 'is required for a new key credential (only an existing keyId may be sent without its key)');
      out.push({ ...kept, ...(entry.displayName !== undefined ? { displayName: entry.displayName } : {}) });
      continue;
    }
    const parsed = await parseCertificate(entry.key, index, now);
    let { startDateTime, endDateTime } = parsed;
    // Graph lets the credential be valid for less than the certificate, never for more.
    if (entry.startDateTime) {
      if (Date.parse(entry.startDateTime) < Date.parse(startDateTime)) throw fail(index, `startDateTime is before the certificate's notBefore (${startDateTime})`);
      startDateTime = new Date(entry.startDateTime).toISOString();
    }
    if (entry.endDateTime) {
      if (Date.parse(entry.endDateTime) > Date.parse(endDateTime)) throw fail(index, `endDateTime is after the certificate's notAfter (${endDateTime})`);
      if (Date.parse(entry.endDateTime) <= now.getTime()) throw fail(index, 'endDateTime is in the past');
      endDateTime = new Date(entry.endDateTime).toISOString();
    }
    if (Date.parse(startDateTime) >= Date.parse(endDateTime)) throw fail(index, 'startDateTime must be before endDateTime');
    out.push({ keyId: entry.keyId ?? randomUUID(), displayName: entry.displayName ?? null, ...parsed, startDateTime, endDateTime });
  }
  const seen = new Map<string, number>();
  for (const [index, c] of out.entries()) {
    const earlier = seen.get(c.thumbprint) ?? seen.get(c.keyId);
    if (earlier !== undefined) throw fail(index, `duplicates keyCredentials.${earlier} (same certificate or keyId)`);
    seen.set(c.thumbprint, index);
    seen.set(c.keyId, index);
  }
  return out;
}

/** Graph's keyCredential JSON; the key bytes are never shown. */
export const keyCredentialJson = (c: StoredCertificate) => ({
  customKeyIdentifier: c.thumbprint,
  displayName: c.displayName,
  endDateTime: c.endDateTime,
  key: null,
  keyId: c.keyId,
  startDateTime: c.startDateTime,
  type: 'AsymmetricX509Cert',
  usage: 'Verify',
});
