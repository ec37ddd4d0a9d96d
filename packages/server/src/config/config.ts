// Server configuration from flags and environment (flags win), validated with zod.
import { resolve, join } from 'node:path';
import { z } from 'zod';
import { MonbanError } from '../errors/catalogue.js';

const schema = z.object({
  dataDir: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  databaseUrl: z.string().min(1),
  publicOrigin: z.string().url().optional(),
  signInRetentionDays: z.coerce.number().int().min(1).max(3650),
});
export type ServerConfig = z.infer<typeof schema>;

export function loadConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(flags.data ?? env.MONBAN_DATA ?? './.monban');
  const parsed = schema.safeParse({
    dataDir,
    port: flags.port ?? env.MONBAN_PORT ?? '8443',
    host: flags.host ?? env.MONBAN_HOST ?? '127.0.0.1',
    databaseUrl: flags.database ?? env.MONBAN_DATABASE_URL ?? `sqlite:${join(dataDir, 'monban.db')}`,
    publicOrigin: flags['public-origin'] ?? env.MONBAN_PUBLIC_ORIGIN,
    signInRetentionDays: env.MONBAN_SIGNIN_RETENTION_DAYS ?? '30',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MonbanError('config_invalid', `${issue?.path.join('.') ?? 'config'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}
