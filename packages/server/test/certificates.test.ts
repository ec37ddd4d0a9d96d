// Application certificates: parsing uploaded keyCredentials with @peculiar/x509, thumbprints
// and the public JWK, the full-set replacement semantics of Graph's PATCH, and the directory
// keeping only currently valid certificates for client authentication (time moved by a clock).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { calculateJwkThumbprint, importJWK, jwtVerify, SignJWT } from 'jose';
import { ManualClock } from '../src/clock.js';
import { keyCredentialJson, parseCertificate, prepareKeyCredentials } from '../src/directory/certificates.js';
import { Directory } from '../src/directory/directory.js';
import { MonbanError } from '../src/errors/catalogue.js';
import { createTestStore, testDatabase } from './support/database.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const start = new Date('2026-11-24T10:00:00Z');
const day = 86_400_000;
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

async function certificate(alg: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams, from: Date, to: Date): Promise<{ der: string; cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a', name: 'CN=unit', notBefore: from, notAfter: to, keys, signingAlgorithm: 'hash' in alg ? alg : { ...alg, hash: 'SHA-256' },
  });
  return { der: Buffer.from(cert.rawData).toString('base64'), cert, keys };
}

const refused = (pattern: RegExp) => (e: unknown): boolean => e instanceof MonbanError && e.code === 'validation_failed' && pattern.test(e.message);

describe(`application certificates on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let dir: Directory;
  const clock = new ManualClock(start);
  before(async () => {
    store = await createTestStore();
    dir = new Directory(store, clock);
  });
  after(async () => store.dispose());

  test('an RSA certificate: SHA-1 thumbprint as hex and as kid/x5t, SHA-256 as x5t#S256, x5c, validity from the certificate', async () => {
    const { der, cert, keys } = await certificate(rsa, new Date(start.getTime() - day), new Date(start.getTime() + 30 * day));
    const parsed = await parseCertificate(der, 0, start);
    const sha1 = Buffer.from(await cert.getThumbprint('SHA-1'));
    assert.equal(parsed.thumbprint, sha1.toString('hex').toUpperCase());
    assert.equal(parsed.jwk.kid, sha1.toString('base64url'));
    assert.equal(parsed.jwk.x5t, sha1.toString('base64url'));
    assert.equal(parsed.jwk['x5t#S256'], Buffer.from(await cert.getThumbprint('SHA-256')).toString('base64url'));
    assert.deepEqual(parsed.jwk.x5c, [der]);
    assert.equal(parsed.jwk.kty, 'RSA');
    assert.equal(parsed.jwk.alg, undefined, 'no alg: RS256 and PS256 assertions both verify');
    assert.equal(parsed.startDateTime, cert.notBefore.toISOString());
    assert.equal(parsed.endDateTime, cert.notAfter.toISOString());
    // The stored JWK is the certificate's key: it verifies what the private key signed.
    const publicJwk = await webcrypto.subtle.exportKey('jwk', keys.publicKey);
    assert.equal(await calculateJwkThumbprint({ kty: 'RSA', n: String(parsed.jwk.n), e: String(parsed.jwk.e) }), await calculateJwkThumbprint({ kty: 'RSA', n: publicJwk.n ?? '', e: publicJwk.e ?? '' }));
    const jws = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);
    const verified = await jwtVerify(jws, await importJWK({ kty: 'RSA', n: String(parsed.jwk.n), e: String(parsed.jwk.e) }, 'RS256'));
    assert.equal(verified.payload.sub, 'x');
  });

  test('EC P-256 is accepted; P-384, small RSA, garbage, bad base64 and expired certificates are refused by index', async () => {
    const from = new Date(start.getTime() - day);
    const to = new Date(start.getTime() + day);
    const p256 = await parseCertificate((await certificate({ name: 'ECDSA', namedCurve: 'P-256' }, from, to)).der, 0, start);
    assert.equal(p256.jwk.crv, 'P-256');
    await assert.rejects(parseCertificate((await certificate({ name: 'ECDSA', namedCurve: 'P-384' }, from, to)).der, 2, start), refused(/keyCredentials\.2\.key: EC keys must be on the P-256 curve/));
    await assert.rejects(parseCertificate((await certificate({ ...rsa, modulusLength: 1024 }, from, to)).der, 0, start), refused(/at least 2048 bits \(this one has 1024\)/));
    await assert.rejects(parseCertificate(Buffer.from('not a certificate').toString('base64'), 0, start), refused(/is not an X\.509 certificate/));
    await assert.rejects(parseCertificate('%%%', 0, start), refused(/is not valid base64/));
    await assert.rejects(parseCertificate('QUJD=', 0, start), refused(/is not valid base64/));
    const old = await certificate(rsa, new Date(start.getTime() - 10 * day), new Date(start.getTime() - day));
    await assert.rejects(parseCertificate(old.der, 0, start), refused(/the certificate expired on 2026-11-23T10:00:00\.000Z/));
  });

  test('PATCH semantics: the full set replaces the old one; an entry with only a keyId keeps that credential; dates may narrow, never widen', async () => {
    const { application } = await dir.createApplication({ displayName: 'certs' });
    const a = await certificate(rsa, new Date(start.getTime() - day), new Date(start.getTime() + 30 * day));
    const b = await certificate(rsa, new Date(start.getTime() - day), new Date(start.getTime() + 60 * day));
    const first = await prepareKeyCredentials([{ type: 'AsymmetricX509Cert', usage: 'Verify', key: a.der, displayName: 'A' }], [], dir.now());
    await dir.replaceCertificates(application.id, first);
    const stored = await dir.certificatesOf(application.id);
    assert.equal(stored.length, 1);
    const keepA = stored[0]?.keyId ?? '';

    const narrowed = new Date(start.getTime() + 10 * day).toISOString();
    const second = await prepareKeyCredentials([
      { type: 'AsymmetricX509Cert', usage: 'Verify', keyId: keepA },
      { type: 'AsymmetricX509Cert', usage: 'Verify', key: b.der, displayName: 'B', endDateTime: narrowed },
    ], stored, dir.now());
    await dir.replaceCertificates(application.id, second);
    const both = (await dir.certificatesOf(application.id)).map(keyCredentialJson);
    assert.deepEqual(both.map((c) => c.displayName).sort(), ['A', 'B']);
    assert.equal(both.find((c) => c.keyId === keepA)?.displayName, 'A', 'kept as it was');
    assert.equal(both.find((c) => c.displayName === 'B')?.endDateTime, narrowed);
    assert.ok(both.every((c) => c.key === null && c.type === 'AsymmetricX509Cert' && c.usage === 'Verify'));

    await assert.rejects(prepareKeyCredentials([{ type: 'AsymmetricX509Cert', usage: 'Verify', key: b.der, endDateTime: new Date(start.getTime() + 90 * day).toISOString() }], [], dir.now()),
      refused(/endDateTime is after the certificate's notAfter/));
    await assert.rejects(prepareKeyCredentials([{ type: 'AsymmetricX509Cert', usage: 'Verify', keyId: '0b3f8a5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }], stored, dir.now()),
      refused(/is required for a new key credential/));

    await dir.replaceCertificates(application.id, []);
    assert.deepEqual(await dir.certificatesOf(application.id), []);
  });

  test('only certificates valid now authenticate: not yet valid and expired ones are kept but not used', async () => {
    const { application } = await dir.createApplication({ displayName: 'validity' });
    const c = await certificate(rsa, new Date(start.getTime() - day), new Date(start.getTime() + 5 * day));
    const later = new Date(start.getTime() + 2 * day).toISOString();
    await dir.replaceCertificates(application.id, await prepareKeyCredentials([{ type: 'AsymmetricX509Cert', usage: 'Verify', key: c.der, startDateTime: later }], [], dir.now()));
    assert.equal((await dir.certificatesOf(application.id)).length, 1);
    assert.equal((await dir.certificatesOf(application.id, { activeOnly: true })).length, 0, 'not valid yet');
    clock.advance(3 * day);
    assert.equal((await dir.certificatesOf(application.id, { activeOnly: true })).length, 1);
    clock.advance(3 * day);
    assert.equal((await dir.certificatesOf(application.id, { activeOnly: true })).length, 0, 'expired');
    clock.set(start);
  });
});
