import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { migrate } from '../db/orm.js';
import { verifyAuditLog } from '../services/audit-verify.js';
import type { MutationContext } from '../services/context.js';
import { TenantService } from '../services/tenants.js';
import { createUser, type UserRole } from '../services/users.js';
import { ProviderAccountService } from '../services/provider-accounts.js';
import type { SecretBox } from '../crypto/secret-box.js';

export type Flags = Record<string, string | boolean | string[] | undefined>;

export interface CommandResult {
  /** The `--json` object. */
  json: Record<string, unknown>;
  /** Human-readable lines. */
  text: string[];
  exitCode?: number;
}

const CLI_CONTEXT: MutationContext = { actor: { type: 'cli', id: process.env['USER'] ?? 'cli' }, requestId: null, ip: null };

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new AppError('parameter_missing', `--${name} is required`, { param: name });
  return value;
}

function asList(value: Flags[string]): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

function mode(flags: Flags): 'sandbox' | 'live' {
  const value = required(flags, 'mode');
  if (value !== 'sandbox' && value !== 'live') throw new AppError('parameter_invalid', '--mode must be sandbox or live', { param: 'mode' });
  return value;
}

/** Each command: flags in, one JSON object out. Mutations run in one transaction with their audit entry. */
/** What some commands need besides the database: the key that seals provider credentials. */
export interface CommandDeps {
  box: () => Promise<SecretBox>;
}

function parseJsonFlag(flags: Flags, name: string): unknown {
  try {
    return JSON.parse(required(flags, name));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('parameter_invalid', `--${name} must be a JSON object`, { param: name });
  }
}

export const COMMANDS: Record<string, { usage: string; run: (orm: MikroORM, flags: Flags, deps: CommandDeps) => Promise<CommandResult> }> = {
  'tenant:create': {
    usage: 'tenant:create --app-name acme-shop [--display-name "Acme Shop"] [--allowed-origin https://shop.example.com]…',
    async run(orm, flags) {
      const result = await orm.em.fork().transactional((em: EntityManager) =>
        new TenantService().create(
          em,
          {
            appName: required(flags, 'app-name'),
            ...(typeof flags['display-name'] === 'string' ? { displayName: flags['display-name'] } : {}),
            allowedOrigins: asList(flags['allowed-origin']),
          },
          CLI_CONTEXT,
        ),
      );
      return {
        json: result,
        text: [
          `Created tenant ${result.appName} (${result.tenantId}). Secrets are shown once:`,
          `  sandbox: ${result.secrets.sandbox}`,
          `  live:    ${result.secrets.live}`,
        ],
      };
    },
  },
  'tenant:rotate-secret': {
    usage: 'tenant:rotate-secret --app-name acme-shop --mode sandbox|live',
    async run(orm, flags) {
      const result = await orm.em
        .fork()
        .transactional((em: EntityManager) => new TenantService().rotateSecret(em, required(flags, 'app-name'), mode(flags), CLI_CONTEXT));
      return {
        json: result,
        text: [`New ${result.mode} secret for ${result.appName} (shown once): ${result.secret}`, `The previous secret stays valid until ${result.previousValidUntil}.`],
      };
    },
  },
  'user:create': {
    usage: 'user:create --email a@b.c --role admin|support|viewer [--password …]',
    async run(orm, flags) {
      const result = await orm.em.fork().transactional((em: EntityManager) =>
        createUser(
          em,
          {
            email: required(flags, 'email'),
            role: required(flags, 'role') as UserRole,
            ...(typeof flags['password'] === 'string' ? { password: flags['password'] } : {}),
          },
          CLI_CONTEXT,
        ),
      );
      return { json: result, text: [`Created ${result.role} ${result.email} with password: ${result.password}`] };
    },
  },
  'provider:add': {
    usage: `provider:add --app-name acme-shop --mode live|sandbox --provider stripe|adyen --config-json '{…}' [--label "EU account"]`,
    async run(orm, flags, deps) {
      const accounts = new ProviderAccountService(await deps.box());
      const view = await orm.em.fork().transactional(async (em: EntityManager) => {
        const tenant = await new TenantService().byAppName(em, required(flags, 'app-name'));
        return accounts.add(
          em,
          {
            tenantId: tenant.id,
            mode: mode(flags),
            provider: required(flags, 'provider'),
            config: parseJsonFlag(flags, 'config-json'),
            ...(typeof flags['label'] === 'string' ? { label: flags['label'] } : {}),
          },
          CLI_CONTEXT,
        );
      });
      return {
        json: { accountId: view.id },
        text: [`Added ${view.provider} account ${view.id} (${view.mode}), position ${view.position} in the routing list.`],
      };
    },
  },
  'provider:list': {
    usage: 'provider:list --app-name acme-shop [--mode live|sandbox]',
    async run(orm, flags, deps) {
      const accounts = new ProviderAccountService(await deps.box());
      const em = orm.em.fork();
      const tenant = await new TenantService().byAppName(em, required(flags, 'app-name'));
      const modes = flags['mode'] === undefined ? (['sandbox', 'live'] as const) : [mode(flags)];
      const list = (await Promise.all(modes.map((m) => accounts.list(em, tenant.id, m)))).flat();
      return {
        json: { accounts: list },
        text: list.length
          ? list.map((a) => `${a.mode.padEnd(7)} #${a.position} ${a.id} ${a.provider} ${Object.entries(a.credentials).map(([k, v]) => `${k}=${v}`).join(' ')}`)
          : ['No provider accounts (sandbox mode uses the built-in sandbox provider).'],
      };
    },
  },
  'audit:verify': {
    usage: 'audit:verify [--tenant ten_…]',
    async run(orm, flags) {
      const tenant = typeof flags['tenant'] === 'string' ? flags['tenant'] : undefined;
      const result = await verifyAuditLog(orm.em.fork(), tenant);
      return result.ok
        ? { json: result, text: [`Audit log intact: ${result.entries} entries verified.`] }
        : { json: result, text: [`Audit log BROKEN at entry ${result.brokenAt}.`], exitCode: 1 };
    },
  },
  migrate: {
    usage: 'migrate',
    async run(orm) {
      const applied = await migrate(orm);
      return { json: { applied }, text: [applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.'] };
    },
  },
};
