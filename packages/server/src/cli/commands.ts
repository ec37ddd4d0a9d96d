// `monban serve` runs the provider; the other commands act on the same data directory
// or database directly (no server needed), with --json output and the API's error codes.
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/config.js';
import { MasterKey } from '../crypto/master-key.js';
import { Directory } from '../directory/directory.js';
import { errorCatalogue, MonbanError } from '../errors/catalogue.js';
import { KeptKeys } from '../keys/kept-keys.js';
import { SignInLogQuery } from '../logs/query.js';
import { parseFilter } from '../odata/filter.js';
import { openStore, type Store } from '../store/database.js';
import { applicationJson, groupJson, userJson } from '../admin/graph-shapes.js';
import { mkdirSync } from 'node:fs';
import { policyUsage, runPolicyCommand } from './policy-commands.js';

const usage = `Usage: monban <command> [options]

  serve [--data DIR] [--port N] [--database URL]   start the provider (default ./.monban, 8443, SQLite)
  users create --upn UPN --name NAME [--password P] | list | delete ID_OR_UPN
  groups create --name NAME | list | delete ID | add-member GROUP MEMBER
  apps create --name NAME [--redirect-uri URI]... [--public] | list | delete ID_OR_APPID
  apps secret add ID_OR_APPID [--name NAME]
  logs [--filter ODATA] [--top N]
  keys rotate
${policyUsage}

Every command takes --data, --database and --json.`;

const options = {
  data: { type: 'string' }, port: { type: 'string' }, database: { type: 'string' }, json: { type: 'boolean' },
  upn: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true },
  public: { type: 'boolean' }, filter: { type: 'string' }, top: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  out: { type: 'string' }, policies: { type: 'string' }, signin: { type: 'string' }, directory: { type: 'string' }, state: { type: 'string' },
} as const;

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export async function runCli(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    json = values.json ?? false;
    const [command, sub, ...rest] = positionals;
    if (values.help || !command) { process.stdout.write(`${usage}\n`); return command ? 0 : 2; }
    const config = loadConfig({ data: values.data, port: values.port, database: values.database });

    if (command === 'serve') {
      // Loaded only here: the provider stack is not needed by the other commands.
      const { startServer } = await import('../server.js');
      const server = await startServer(config);
      process.stdout.write(`monban: listening on https://127.0.0.1:${server.port} (issuer ${server.issuer})\n`);
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        server.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return 0;
    }

    // Opens the store itself, and not at all for lint/what-if on files (--policies).
    if (command === 'policy') return await runPolicyCommand(sub, rest, { json, out: values.out, policies: values.policies, signin: values.signin, directory: values.directory, state: values.state }, config);

    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const store: Store = await openStore(config.databaseUrl);
    try {
      const dir = new Directory(store, systemClock);
      switch (`${command} ${sub ?? ''}`.trim()) {
        case 'users create': {
          if (!values.upn || !values.name) throw new MonbanError('validation_failed', 'users create needs --upn and --name.');
          const u = await dir.createUser({ userPrincipalName: values.upn, displayName: values.name, password: values.password });
          print(json, userJson(u), `created user ${u.user_principal_name} (${u.id})`);
          return 0;
        }
        case 'users list': {
          const users = (await dir.listUsers()).map(userJson);
          print(json, { value: users }, users.map((u) => `${u.id}  ${u.userPrincipalName}  ${u.accountEnabled ? 'enabled' : 'disabled'}`).join('\n'));
          return 0;
        }
        case 'users delete': {
          const u = await dir.requireUser(rest[0] ?? '');
          await dir.deleteUser(u.id);
          print(json, { deleted: u.id }, `deleted user ${u.user_principal_name}`);
          return 0;
        }
        case 'groups create': {
          if (!values.name) throw new MonbanError('validation_failed', 'groups create needs --name.');
          const g = await dir.createGroup({ displayName: values.name });
          print(json, groupJson(g), `created group ${g.display_name} (${g.id})`);
          return 0;
        }
        case 'groups list': {
          const groups = (await dir.listGroups()).map(groupJson);
          print(json, { value: groups }, groups.map((g) => `${g.id}  ${g.displayName}`).join('\n'));
          return 0;
        }
        case 'groups delete': {
          await dir.deleteGroup(rest[0] ?? '');
          print(json, { deleted: rest[0] }, `deleted group ${rest[0] ?? ''}`);
          return 0;
        }
        case 'groups add-member': {
          await dir.addMember(rest[0] ?? '', rest[1] ?? '');
          print(json, { group: rest[0], member: rest[1] }, `added ${rest[1] ?? ''} to ${rest[0] ?? ''}`);
          return 0;
        }
        case 'apps create': {
          if (!values.name) throw new MonbanError('validation_failed', 'apps create needs --name.');
          const { application } = await dir.createApplication({ displayName: values.name, redirectUris: values['redirect-uri'] ?? [], publicClient: values.public ?? false });
          print(json, applicationJson(application), `created application ${application.display_name} (appId ${application.app_id})`);
          return 0;
        }
        case 'apps list': {
          const apps = (await dir.listApplications()).map((a) => applicationJson(a));
          print(json, { value: apps }, apps.map((a) => `${a.appId}  ${a.displayName}`).join('\n'));
          return 0;
        }
        case 'apps delete': {
          await dir.deleteApplication(rest[0] ?? '');
          print(json, { deleted: rest[0] }, `deleted application ${rest[0] ?? ''}`);
          return 0;
        }
        case 'apps secret': {
          if (rest[0] !== 'add') throw new MonbanError('validation_failed', 'Use: monban apps secret add ID_OR_APPID.');
          const app = await dir.requireApplication(rest[1] ?? '');
          const s = await dir.addSecret(app.id, values.name ?? null);
          print(json, s, `secret (shown once): ${s.secretText}\nkeyId ${s.keyId}, expires ${s.endDateTime}`);
          return 0;
        }
        case 'logs': {
          const top = values.top ? Number(values.top) : 50;
          if (!Number.isInteger(top) || top < 1 || top > 1000) throw new MonbanError('validation_failed', '--top must be an integer from 1 to 1000.');
          const page = await new SignInLogQuery(store.db).page({ filter: values.filter ? parseFilter(values.filter) : undefined, top });
          print(json, { value: page.records }, page.records.map((r) => `${r.createdDateTime}  ${r.status.errorCode === 0 ? 'success' : `AADSTS${r.status.errorCode}`}  ${r.userPrincipalName ?? r.appDisplayName ?? r.appId ?? '-'}  ${r.monban?.flow ?? ''}  ${r.status.failureReason ?? r.status.additionalDetails ?? ''}`).join('\n'));
          return 0;
        }
        case 'keys rotate': {
          const kids = await new KeptKeys(store.db, MasterKey.load(config.dataDir), systemClock).rotate();
          print(json, { created: kids }, `new signing keys: ${kids.join(', ')} (restart the servers to publish them)`);
          return 0;
        }
        default:
          throw new MonbanError('validation_failed', `Unknown command "${positionals.join(' ')}". Run monban --help.`);
      }
    } finally {
      await store.close();
    }
  } catch (e) {
    const err = e instanceof MonbanError ? e
      : e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS') ? new MonbanError('validation_failed', e.message)
      : new MonbanError('internal_error', e instanceof Error ? e.message : undefined);
    if (json) process.stderr.write(`${JSON.stringify({ error: { code: errorCatalogue[err.code].graphCode, message: err.message, innerError: { 'monban-code': err.code, ...(err.details.length ? { details: err.details } : {}) } } })}\n`);
    else process.stderr.write(`monban: ${err.code}: ${err.message}\n${err.details.map((d) => `  ${d.target}: ${d.message}\n`).join('')}`);
    return 1;
  }
}
