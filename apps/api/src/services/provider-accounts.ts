import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AppError,
  maskCredentials,
  parseProviderAccountConfig,
  type Mode,
  type ProviderAccount,
  type ProviderAccountConfig,
  type ProviderName,
} from '@platform/core';
import { SANDBOX_ACCOUNT_ID } from '@platform/providers';
import { ProviderAccountSchema, TenantSchema, type ProviderAccountRow } from '../db/entities/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../ids.js';
import { appendAudit } from './audit.js';
import type { MutationContext } from './context.js';

/** What every API shows of an account: masked credentials, never the secrets. */
export interface ProviderAccountView {
  id: string;
  tenantId: string;
  mode: Mode;
  provider: 'stripe' | 'adyen';
  label: string | null;
  credentials: Record<string, string>;
  /** Position in the routing list, 1 = tried first. */
  position: number;
  createdAt: string;
}

/** The built-in sandbox account: used in sandbox mode when a tenant has configured no account. */
export const SANDBOX_ACCOUNT = { id: SANDBOX_ACCOUNT_ID, provider: 'sandbox', mode: 'sandbox', credentials: null } as const satisfies ProviderAccount;

/**
 * Provider accounts per tenant + mode and their routing order. Credentials are validated,
 * sealed at rest, opened only in memory for provider calls, and never returned unmasked.
 * Cross-tenant lookups (webhook verification, workers) opt out of the tenant filter here only.
 */
export class ProviderAccountService {
  constructor(private readonly box: SecretBox) {}

  async add(
    em: EntityManager,
    input: { tenantId: string; mode: Mode; provider: string; config: unknown; label?: string | null },
    ctx: MutationContext,
  ): Promise<ProviderAccountView> {
    const tenant = await em.findOne(TenantSchema, { id: input.tenantId });
    if (!tenant) throw new AppError('resource_missing', `No such tenant: '${input.tenantId}'`, { param: 'tenantId' });
    if (input.mode !== 'sandbox' && input.mode !== 'live') throw new AppError('parameter_invalid', 'mode must be sandbox or live', { param: 'mode' });
    const parsed = parseProviderAccountConfig(input.provider, input.mode, input.config);
    if (!parsed.ok) throw new AppError('parameter_invalid', parsed.message, { param: parsed.param });
    // Serialize routing-list changes of this tenant + mode (positions stay dense and unique).
    await this.lockRouting(em, input.tenantId, input.mode);
    const existing = await this.rows(em, input.tenantId, input.mode);
    const now = new Date();
    const row = em.create(ProviderAccountSchema, {
      id: newId('providerAccount'),
      tenantId: input.tenantId,
      mode: input.mode,
      provider: parsed.config.provider,
      label: input.label ?? null,
      credentialsSealed: this.box.seal(JSON.stringify(parsed.config.credentials)),
      credentialsHint: maskCredentials(parsed.config),
      priority: (existing.at(-1)?.priority ?? 0) + 1,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    const view = toView(row, existing.length + 1);
    await appendAudit(em, ctx, { action: 'provider_account.create', targetType: 'provider_account', targetId: row.id, tenantId: row.tenantId, mode: row.mode, after: view });
    return view;
  }

  async list(em: EntityManager, tenantId: string, mode: Mode): Promise<ProviderAccountView[]> {
    return (await this.rows(em, tenantId, mode)).map((row, i) => toView(row, i + 1));
  }

  async remove(em: EntityManager, accountId: string, ctx: MutationContext): Promise<void> {
    const row = await em.findOne(ProviderAccountSchema, { id: accountId }, { filters: false });
    if (!row) throw new AppError('resource_missing', `No such provider account: '${accountId}'`, { param: 'accountId' });
    await this.lockRouting(em, row.tenantId, row.mode);
    const before = toView(row, 0);
    // Payments keep their account id for history, refunds and webhook verification.
    const [used] = await em.execute<{ n: string }[]>('select count(*) as n from payment_attempts where provider_account_id = ?', [accountId]);
    if (Number(used?.n ?? 0) > 0) {
      throw new AppError('invalid_state', 'This account has payment attempts; it cannot be deleted (move it to the end of the routing list instead)');
    }
    await em.nativeDelete(ProviderAccountSchema, { id: accountId }, { filters: false });
    await appendAudit(em, ctx, { action: 'provider_account.delete', targetType: 'provider_account', targetId: accountId, tenantId: row.tenantId, mode: row.mode, before });
  }

  /** Sets the routing order: `accountIds` must list every account of the tenant + mode once. */
  async setRouting(em: EntityManager, tenantId: string, mode: Mode, accountIds: string[], ctx: MutationContext): Promise<ProviderAccountView[]> {
    await this.lockRouting(em, tenantId, mode);
    const rows = await this.rows(em, tenantId, mode);
    const known = new Set(rows.map((r) => r.id));
    if (accountIds.length !== rows.length || new Set(accountIds).size !== accountIds.length || !accountIds.every((id) => known.has(id))) {
      throw new AppError('parameter_invalid', 'accountIds must list every provider account of this tenant and mode exactly once', { param: 'accountIds' });
    }
    const before = rows.map((r) => r.id);
    const now = new Date();
    accountIds.forEach((id, i) => {
      const row = rows.find((r) => r.id === id)!;
      row.priority = i + 1;
      row.updatedAt = now;
    });
    await em.flush();
    await appendAudit(em, ctx, { action: 'provider_account.routing', targetType: 'tenant', targetId: tenantId, tenantId, mode, before, after: accountIds });
    return this.list(em, tenantId, mode);
  }

  /**
   * The accounts to try for a payment, in routing order, credentials opened. Sandbox mode
   * without configured accounts uses the built-in sandbox. `provider` restricts the list.
   */
  async routeFor(em: EntityManager, tenantId: string, mode: Mode, provider?: ProviderName | null): Promise<ProviderAccount[]> {
    if (provider === 'sandbox') return mode === 'sandbox' ? [SANDBOX_ACCOUNT] : [];
    const rows = (await this.rows(em, tenantId, mode)).filter((r) => !provider || r.provider === provider);
    if (rows.length === 0 && mode === 'sandbox' && !provider) return [SANDBOX_ACCOUNT];
    return rows.map((r) => this.open(r));
  }

  /** Which providers `routeFor` would try, without opening any credentials (the hosted page's CSP). */
  async providersInRoute(em: EntityManager, tenantId: string, mode: Mode, provider?: ProviderName | null): Promise<ProviderName[]> {
    if (provider === 'sandbox') return mode === 'sandbox' ? ['sandbox'] : [];
    const rows = (await this.rows(em, tenantId, mode)).filter((r) => !provider || r.provider === provider);
    if (rows.length === 0 && mode === 'sandbox' && !provider) return ['sandbox'];
    return [...new Set(rows.map((r) => r.provider as ProviderName))];
  }

  /** One account by id, credentials opened (the sandbox id gives the built-in sandbox). */
  async byId(em: EntityManager, accountId: string | null | undefined): Promise<ProviderAccount | null> {
    if (!accountId || accountId === SANDBOX_ACCOUNT_ID) return SANDBOX_ACCOUNT;
    const row = await em.findOne(ProviderAccountSchema, { id: accountId }, { filters: false });
    return row ? this.open(row) : null;
  }

  /** Every account of a provider (webhook signature candidates), credentials opened. */
  async allOf(em: EntityManager, provider: 'stripe' | 'adyen'): Promise<ProviderAccount[]> {
    const rows = await em.find(ProviderAccountSchema, { provider }, { filters: false, orderBy: { id: 'asc' } });
    return rows.map((r) => this.open(r));
  }

  private open(row: ProviderAccountRow): ProviderAccount {
    const config = { provider: row.provider, credentials: JSON.parse(this.box.open(row.credentialsSealed)) } as ProviderAccountConfig;
    return { id: row.id, mode: row.mode, ...config } as ProviderAccount;
  }

  private rows(em: EntityManager, tenantId: string, mode: Mode): Promise<ProviderAccountRow[]> {
    return em.find(ProviderAccountSchema, { tenantId, mode }, { filters: false, orderBy: { priority: 'asc', id: 'asc' } });
  }

  private async lockRouting(em: EntityManager, tenantId: string, mode: Mode): Promise<void> {
    await em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`routing:${tenantId}:${mode}`]);
  }
}

function toView(row: ProviderAccountRow, position: number): ProviderAccountView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    mode: row.mode,
    provider: row.provider,
    label: row.label ?? null,
    credentials: row.credentialsHint,
    position,
    createdAt: row.createdAt.toISOString(),
  };
}
