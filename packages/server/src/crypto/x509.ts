// @peculiar/x509 (with the reflect-metadata polyfill its DI container needs) is loaded on
// first use only: most starts neither make nor read a certificate, and the library costs
// ~12 MB of resident memory (decision 0005).
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loading: Promise<typeof X509> | undefined;

export function loadX509(): Promise<typeof X509> {
  loading ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return loading;
}
