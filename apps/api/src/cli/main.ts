import { parseArgs } from 'node:util';
import { isAppError } from '@platform/core';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, openOrm, pendingMigrations } from '../db/orm.js';
import { loadKeys } from '../keys.js';
import { SecretBox } from '../crypto/secret-box.js';
import { COMMANDS, type Flags } from './commands.js';

const string = { type: 'string' } as const;
const CLI_OPTIONS = {
  'app-name': string,
  'display-name': string,
  'allowed-origin': { type: 'string', multiple: true },
  mode: string,
  email: string,
  role: string,
  password: string,
  tenant: string,
  provider: string,
  'config-json': string,
  label: string,
  json: { type: 'boolean' },
} as const;

/** `npm run cli -- <command> [flags] [--json]` (spec/operations.md "CLI"). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`Usage: npm run cli -- <command> [--json]\n\nCommands:\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}`);
    return 2;
  }
  const asJson = rest.includes('--json');
  let flags: Flags;
  try {
    flags = parseArgs({ args: rest, strict: true, allowPositionals: false, options: CLI_OPTIONS }).values as Flags;
  } catch (err) {
    return fail(`${(err as Error).message}\nUsage: npm run cli -- ${command.usage}`, asJson, 'parameter_invalid');
  }

  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, asJson);
    throw err;
  }
  const db = await openDatabase(config, 'cli');
  const orm = await openOrm(db.url, 2);
  try {
    // Our own embedded database is brought up to date like `npm start` does; a shared server is migrated only by `migrate`.
    if (db.embedded && name !== 'migrate') await migrate(orm);
    else if (name !== 'migrate' && (await pendingMigrations(orm)).length > 0) {
      return fail('Database migrations are pending; run: npm run cli -- migrate', asJson);
    }
    const result = await command.run(orm, flags, { box: async () => new SecretBox((await loadKeys(config)).encryptionKey) });
    console.log(asJson ? JSON.stringify(result.json) : result.text.join('\n'));
    return result.exitCode ?? 0;
  } catch (err) {
    if (isAppError(err)) return fail(err.message, asJson, err.code);
    throw err;
  } finally {
    await orm.close();
    await db.stop();
  }
}

function fail(message: string, asJson: boolean, code = 'error'): number {
  if (asJson) console.log(JSON.stringify({ error: { code, message } }));
  else console.error(message);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
