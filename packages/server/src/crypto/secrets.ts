// Secrets are stored only as hashes. Passwords are low-entropy, so they get argon2id;
// generated secrets (client secrets, token handles) carry >= 128 bits of randomness, so a
// SHA-256 is enough and keeps the token endpoint fast.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, t=2, p=1).
const argonOptions = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2Hash(password, argonOptions);

export async function verifyPassword(stored: string, candidate: string): Promise<boolean> {
  try {
    return await argon2Verify(stored, candidate);
  } catch {
    return false;
  }
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function hashSecret(secret: string): string {
  return `sha256:${sha256(secret)}`;
}

export function verifySecret(stored: string, candidate: string): boolean {
  const expected = Buffer.from(stored);
  const actual = Buffer.from(hashSecret(candidate));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A client secret in the reference system's style: 40 characters, URL-safe. */
export const generateClientSecret = (): string => randomBytes(30).toString('base64url');

/** A password for a bootstrap account: long, random, with every character class. */
export function generatePassword(): string {
  return `Mb-${randomBytes(18).toString('base64url')}9a!`;
}
