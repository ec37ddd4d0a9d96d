// Keys that must be kept (signing keys, cookie keys) are stored encrypted under a master
// key: MONBAN_MASTER_KEY (base64url, 32 bytes) or DATA_DIR/master.key, created at first
// start with mode 0600. Encryption is JWE dir + A256GCM from jose.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { MonbanError } from '../errors/catalogue.js';

export class MasterKey {
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new MonbanError('config_invalid', 'The master key must be 32 bytes (base64url-encoded).');
    this.#key = key;
  }

  static load(dataDir: string, env: NodeJS.ProcessEnv = process.env): MasterKey {
    const fromEnv = env.MONBAN_MASTER_KEY;
    if (fromEnv) return new MasterKey(Buffer.from(fromEnv, 'base64url'));
    const file = join(dataDir, 'master.key');
    if (!existsSync(file)) {
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    }
    return new MasterKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'));
  }

  async seal(plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.#key);
  }

  async open(sealed: string): Promise<string> {
    try {
      const { plaintext } = await compactDecrypt(sealed, this.#key);
      return new TextDecoder().decode(plaintext);
    } catch {
      throw new MonbanError('config_invalid', 'A stored key could not be decrypted: the master key does not match this database.');
    }
  }
}
