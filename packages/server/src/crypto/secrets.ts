// Secrets are stored only as hashes. Passwords are low-entropy, so they get argon2id;
// generated secrets (client secrets, token handles) carry >= 128 bits of randomness, so a
// SHA-256 is enough and keeps the token endpoint fast.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as Argon2 from '@node-rs/argon2';

// Loaded on the first password operation: app-only traffic never needs it (~4 MB resident).
let argon2: Promise<typeof Argon2> | undefined;
const loadArgon2 = (): Promise<typeof Argon2> => (argon2 ??= import('@node-rs/argon2'));

// OWASP's argon2id baseline (19 MiB, t=2, p=1).
const argonOptions = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = async (password: string): Promise<string> => (await loadArgon2()).hash(password, argonOptions);

export async function verifyPassword(stored: string, candidate: string): Promise<boolean> {
  try {
    return await (await loadArgon2()).verify(stored, candidate);
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
