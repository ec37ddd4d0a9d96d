// Test storage: a fresh SQLite file or a fresh PostgreSQL database per call, chosen by
// MONBAN_TEST_DATABASE (scripts/test.mjs runs the suite once per engine).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.js';

export const testDatabase = (): 'sqlite' | 'postgres' => (process.env.MONBAN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite');

const adminUrl = process.env.MONBAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database URL nobody else uses; PostgreSQL databases are dropped by `dropTestDatabase`. */
export async function createTestDatabaseUrl(): Promise<string> {
  if (testDatabase() === 'sqlite') return `sqlite:${join(mkdtempSync(join(tmpdir(), 'monban-test-')), 'monban.db')}`;
  const name = `monban_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string): Promise<void> {
  if (!url.startsWith('postgres')) return;
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function createTestStore(): Promise<Store & { url: string; dispose(): Promise<void> }> {
  const url = await createTestDatabaseUrl();
  const store = await openStore(url);
  return { ...store, url, dispose: async () => { await store.close(); await dropTestDatabase(url); } };
}
