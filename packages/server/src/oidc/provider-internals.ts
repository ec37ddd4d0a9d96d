// The only file allowed to reach past oidc-provider's public API (scripts/check-source.mjs).
// Client secrets are stored hashed, so the secret comparison is replaced with a hash check.
import type Provider from 'oidc-provider';

export function useHashedClientSecrets(provider: Provider, verify: (clientId: string, presented: string) => Promise<boolean>): void {
  const proto = provider.Client.prototype as unknown as { compareClientSecret: (this: { clientId: string }, actual: string) => Promise<boolean> };
  proto.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string): Promise<boolean> {
    return verify(this.clientId, actual);
  };
}
