import { parseArgs } from 'node:util';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, openOrm, pendingMigrations } from '../db/orm.js';
import { loadKeys } from '../keys.js';
import { SecretBox } from '../crypto/secret-box.js';
import { COMMANDS, type Flags } from './commands.js';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, redactor, toCliFailure } from './errors.js';

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

/** `--json` anywhere in the arguments: every outcome, failures included, is one JSON object on stdout. */
function wantsJson(argv: string[]): boolean {
  return argv.some((arg) => arg === '--json' || arg.startsWith('--json='));
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

function overallUsage(): string {
  return `Usage: npm run cli -- <command> [flags] [--json]\n\nCommands:\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join('\n')}`;
}

/** A parseArgs error as ours, without echoing values (a stray positional argument may be a secret). */
function flagError(err: unknown, usage: string): CliError {
  const { code, message } = err as { code?: string; message?: string };
  const tail = `\nUsage: npm run cli -- ${usage} [--json]`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new CliError('parameter_invalid', `Unexpected argument: every value belongs to a --flag (quote values that contain spaces)${tail}`);
  }
  const param = /'--?([A-Za-z0-9-]+)/.exec(message ?? '')?.[1];
  return new CliError('parameter_invalid', `${message ?? 'Invalid flags'}${tail}`, param ? { param } : {});
}

/**
 * `npm run cli -- <command> [flags] [--json]` (spec/operations.md "CLI"). Resolves to the exit
 * code (`EXIT_*` in errors.ts); never rejects: every failure is reported as errors.ts describes.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const asJson = wantsJson(argv);
  const [name, ...rest] = argv;
  let redact = redactor({}, env);
  let phase: 'connect' | 'command' = 'command';
  try {
    const command = name && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) {
      if (isHelp(name)) throw new CliError('usage', overallUsage(), { exitCode: EXIT_USAGE });
      const why = name === undefined || name.startsWith('-') ? 'No command given.\n\n' : `Unknown command '${name}'.\n\n`;
      throw new CliError('command_unknown', `${why}${overallUsage()}`, { param: 'command', exitCode: EXIT_USAGE });
    }
    if (rest.some(isHelp)) throw new CliError('usage', `Usage: npm run cli -- ${command.usage} [--json]`);
    let flags: Flags;
    try {
      flags = parseArgs({ args: rest, strict: true, allowPositionals: false, options: CLI_OPTIONS }).values as Flags;
    } catch (err) {
      redact = redactor({ password: valueAfter(rest, '--password'), configJson: valueAfter(rest, '--config-json') }, env);
      throw flagError(err, command.usage);
    }
    redact = redactor({ password: flags['password'], configJson: flags['config-json'] }, env);
    const config = loadConfig(env);

    phase = 'connect';
    const db = await openDatabase(config, 'cli');
    let orm: MikroORM;
    try {
      orm = await openOrm(db.url, 2);
    } catch (err) {
      await db.stop().catch(() => {});
      throw err;
    }
    try {
      // Our own embedded database is brought up to date like `npm start` does; a shared server is migrated only by `migrate`.
      if (db.embedded && name !== 'migrate') await migrate(orm);
      else if (name !== 'migrate' && (await pendingMigrations(orm)).length > 0) {
        throw new CliError('migrations_pending', 'Database migrations are pending; run: npm run cli -- migrate');
      }
      phase = 'command';
      const result = await command.run(orm, flags, { box: async () => new SecretBox((await loadKeys(config)).encryptionKey) });
      console.log(asJson ? JSON.stringify(result.json) : result.text.join('\n'));
      return result.exitCode ?? EXIT_OK;
    } finally {
      await orm.close().catch(() => {});
      await db.stop().catch(() => {});
    }
  } catch (err) {
    const failure = toCliFailure(err, phase, redact);
    if (asJson) console.log(JSON.stringify(failure.body));
    else console.error(failure.body.error.message);
    return failure.exitCode;
  }
}

/** The raw value given to a flag, for redaction when the flags could not be parsed. */
function valueAfter(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => {
      // runCli reports its own failures; this is only a last resort, and says nothing that could hold a secret.
      const body = { error: { type: 'api_error', code: 'internal_error', message: 'Unexpected error' } };
      if (wantsJson(process.argv)) console.log(JSON.stringify(body));
      else console.error(body.error.message);
      process.exit(EXIT_FAILED);
    },
  );
}
