import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AppError,
  isFinalPaymentStatus,
  type CardDetails,
  type ClientConfig,
  type CurrencyCode,
  type Mode,
  type NextAction,
  type PaymentProvider,
  type PaymentStatus,
  type ProviderAccount,
  type ProviderName,
} from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { PaymentAttemptSchema, TENANT_FILTER, TenantSchema, type AttemptStatus, type Payment } from '../db/entities/index.js';
import type { ProviderCaller } from '../providers/resilient-call.js';
import type { TokenService } from '../auth/tokens.js';
import { finishAttempt, latestAttempt, startAttempt } from './attempts.js';
import { resolveCheckoutToken } from './checkout-tokens.js';
import type { MutationContext } from './context.js';
import type { PaymentService } from './payments.js';
import { SANDBOX_ACCOUNT, type ProviderAccountService } from './provider-accounts.js';

/** What the hosted page shows: never tenant credentials, never provider secrets. */
export interface CheckoutView {
  paymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  description: string | null;
  mode: 'sandbox' | 'live';
  merchant: { displayName: string; logoUrl: string | null; brandColor: string | null };
  lastError: { code: string; message: string } | null;
  /** `returnUrl?paymentId=pay_…`: where the customer goes after a final outcome. */
  returnUrl: string | null;
  cancelUrl: string | null;
  /** The provider of the current attempt (null until one is chosen). */
  provider: string | null;
  nextAction: NextAction | null;
  expiresAt: string | null;
}

/**
 * The hosted checkout's use cases, authorized only by the checkout token. Provider calls
 * happen OUTSIDE our transactions: we commit the attempt (and `processing`) first, then call
 * the provider through the resilient caller, then record its synchronous answer; the outcome
 * itself arrives by webhook (or reconciliation).
 */
export class CheckoutService {
  constructor(
    private readonly deps: {
      orm: MikroORM;
      tokens: TokenService;
      providers: ProviderRegistry;
      payments: PaymentService;
      accounts: ProviderAccountService;
      caller: ProviderCaller;
      publicUrl: string;
      now?: () => Date;
    },
  ) {}

  async session(token: string): Promise<CheckoutView> {
    const em = this.deps.orm.em.fork();
    const payment = await resolveCheckoutToken(em, this.deps.tokens, token, this.now(), 'read');
    return this.view(em, payment);
  }

  /**
   * The providers whose forms the page for this link may show (the tenant's routing for the
   * payment's mode, or the provider the payment asked for, and the provider of its latest
   * attempt). An unusable link shows no form: none.
   */
  async providersForPage(token: string): Promise<ProviderName[]> {
    const em = this.deps.orm.em.fork();
    try {
      const payment = await resolveCheckoutToken(em, this.deps.tokens, token, this.now(), 'read');
      return await this.scoped(payment, async (scoped) => {
        const route = await this.deps.accounts.providersInRoute(scoped, payment.tenantId, payment.mode, (payment.provider as ProviderName | null) ?? null);
        // A form prepared earlier keeps working even if the routing changed since.
        const latest = await latestAttempt(scoped, payment.id);
        return latest ? [...new Set([...route, latest.provider as ProviderName])] : route;
      });
    } catch (err) {
      if (err instanceof AppError) return [];
      throw err;
    }
  }

  /**
   * What the page needs to take the payment: the sandbox card form, or the provider's own
   * form for the provider object created here. Routing: the tenant's accounts in order; an
   * account whose call fails retryably after retries (or whose circuit is open) is recorded
   * as a failed attempt and the next account is tried.
   */
  async prepare(token: string): Promise<{ client: ClientConfig }> {
    const claims = await this.resolve(token);
    const start = await this.scoped(claims, async (em) => {
      const payment = await this.deps.payments.get(em, claims.id);
      this.assertOpen(payment);
      if (payment.status !== 'requires_payment_method') {
        throw new AppError('invalid_state', `This payment is ${payment.status.replace(/_/g, ' ')}; it cannot take a payment method now`);
      }
      const latest = await latestAttempt(em, claims.id);
      // Reload of the page: the prepared object is fetched again with the same idempotency key.
      if (latest?.status === 'pending' && latest.providerAccountId) {
        const account = await this.deps.accounts.byId(em, latest.providerAccountId);
        if (account) return { reuse: { attemptId: latest.id, account }, route: [account] };
      }
      const route = await this.deps.accounts.routeFor(em, claims.tenantId, claims.mode, (payment.provider as ProviderName | null) ?? null);
      return { reuse: null, route };
    });
    if (start.route.length === 0) {
      throw new AppError('service_unavailable', 'No payment provider is configured for this merchant yet', { details: { reason: 'not_configured' } });
    }
    if (start.route[0]!.provider === 'sandbox') return { client: { type: 'card_form' } };
    let lastFailure: { code: string; message: string } | null = null;
    for (const account of start.route) {
      const attemptId = start.reuse?.attemptId ?? (await this.openAttempt(claims, account, 'pending'));
      const adapter = this.adapter(account.provider);
      const result = await this.deps.caller.call(account.id, () =>
        adapter.prepare({ ...attemptRequest(claims, account, attemptId), description: claims.description, returnUrl: `${this.deps.publicUrl}/pay/${token}` }),
      );
      await this.scoped(claims, (em) =>
        em.transactional(async (tx) => {
          const payment = await this.deps.payments.getForUpdate(tx, claims.id);
          const attempt = await tx.findOneOrFail(PaymentAttemptSchema, { id: attemptId });
          if (result.ok) {
            attempt.providerReference = result.reference;
            attempt.updatedAt = this.now();
            payment.provider = account.provider;
            payment.providerAccountId = account.id;
            payment.providerReference = result.reference;
          } else {
            finishAttempt(attempt, 'failed', this.now(), { code: result.code, message: `${result.message} (after ${result.tries} tries)` });
          }
          await tx.flush();
        }),
      );
      if (result.ok) return { client: result.client };
      lastFailure = result;
      if (!result.retryable || start.reuse) break;
    }
    throw new AppError('service_unavailable', `The payment provider could not be reached; please try again (${lastFailure?.code ?? 'unavailable'})`, {
      details: { reason: 'provider_unavailable' },
    });
  }

  /** Sandbox card submission (the built-in sandbox only: real providers take cards in their own fields). */
  async submit(token: string, card: CardDetails, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    if (claims.mode === 'live') {
      // Live card data goes from the browser to the provider's own fields, never through us.
      throw new AppError('permission_denied', 'Card details are accepted only in sandbox mode; live payments use the provider’s payment form');
    }
    const route = await this.scoped(claims, async (em) => {
      const payment = await this.deps.payments.get(em, claims.id);
      return this.deps.accounts.routeFor(em, claims.tenantId, claims.mode, (payment.provider as ProviderName | null) ?? null);
    });
    if (route[0]?.provider !== 'sandbox') {
      throw new AppError('permission_denied', 'This merchant takes payments through its provider’s payment form; card details are not accepted here');
    }
    return this.authorize(token, claims, route[0], { card }, ctx);
  }

  /** Stripe: the Payment Element's ConfirmationToken confirms the prepared PaymentIntent from our server. */
  async confirm(token: string, confirmationToken: string, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    const account = await this.scoped(claims, async (em) => {
      const payment = await this.deps.payments.get(em, claims.id);
      return payment.provider === 'stripe' && payment.providerReference ? this.deps.accounts.byId(em, payment.providerAccountId) : null;
    });
    if (!account || account.provider !== 'stripe') throw new AppError('invalid_state', 'This payment has no prepared Stripe payment to confirm');
    return this.authorize(token, claims, account, { confirmationToken, returnUrl: `${this.deps.publicUrl}/pay/${token}` }, ctx);
  }

  /**
   * Adyen Drop-in finished in the browser: the payment is with the provider now. We keep the
   * `sessionResult` so reconciliation can ask Adyen; the outcome itself comes by webhook.
   */
  async reportResult(token: string, sessionResult: string, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        const attempt = await latestAttempt(tx, claims.id, true);
        if (payment.provider !== 'adyen' || !attempt || attempt.provider !== 'adyen') {
          throw new AppError('invalid_state', 'This payment has no Adyen session to report on');
        }
        attempt.clientResult = sessionResult;
        attempt.updatedAt = this.now();
        if (payment.status === 'requires_payment_method' && attempt.status === 'pending') {
          attempt.status = 'processing';
          await this.deps.payments.changeStatus(tx, payment, 'processing', { event: 'payment.processing', action: 'payment.submit', ctx });
        } else {
          await tx.flush();
        }
      }),
    );
    return this.session(token);
  }

  /**
   * One server-side submission: commit `processing` with a new attempt, call the provider
   * (retries reuse the attempt's idempotency key), record the synchronous answer. A timeout
   * after sending leaves the payment `processing` with the attempt `unknown`: reconciliation
   * asks the provider later instead of guessing.
   */
  private async authorize(
    token: string,
    claims: Claims,
    account: ProviderAccount,
    payload: { card?: CardDetails; confirmationToken?: string; returnUrl?: string },
    ctx: MutationContext,
  ): Promise<CheckoutView> {
    const { attemptId, reference } = await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        this.assertOpen(payment);
        if (payment.status !== 'requires_payment_method') {
          throw new AppError('invalid_state', `This payment is ${payment.status.replace(/_/g, ' ')}; it cannot take a new card now`);
        }
        // The attempt that prepared the provider object (Stripe) becomes the submitted one.
        const latest = await latestAttempt(tx, claims.id, true);
        const prepared = latest?.status === 'pending' && latest.providerAccountId === account.id ? latest : null;
        const attempt = prepared ?? startAttempt(tx, payment, account.provider, this.now());
        attempt.status = 'processing';
        attempt.updatedAt = this.now();
        attempt.providerAccountId = account.id === SANDBOX_ACCOUNT.id ? null : account.id;
        attempt.providerReference = account.provider === 'sandbox' ? null : payment.providerReference;
        await this.deps.payments.changeStatus(tx, payment, 'processing', {
          event: 'payment.processing',
          action: 'payment.submit',
          ctx,
          mutate: (p) => {
            p.lastError = null;
            p.provider = account.provider;
          },
        });
        return { attemptId: attempt.id, reference: attempt.providerReference };
      }),
    );
    const adapter = this.adapter(account.provider);
    const result = await this.deps.caller.call(account.id, () =>
      adapter.authorize({ ...attemptRequest(claims, account, attemptId), reference, ...payload }),
    );
    let nextAction: NextAction | null = null;
    await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        const attempt = await latestAttempt(tx, claims.id, true);
        if (!attempt || attempt.id !== attemptId) return;
        if (result.ok) {
          attempt.providerReference ??= result.reference;
          payment.providerReference ??= result.reference;
          nextAction = result.nextAction ?? null;
          await tx.flush();
          return;
        }
        if (result.kind === 'timeout') {
          // Sent, unanswered: the outcome is unknown. Never guess — reconciliation asks.
          attempt.status = 'unknown';
          attempt.errorCode = result.code;
          attempt.errorMessage = result.message;
          attempt.updatedAt = this.now();
          await tx.flush();
          return;
        }
        // The provider refused synchronously: the attempt failed and the customer may try again.
        finishAttempt(attempt, 'failed', this.now(), { code: result.code, message: result.message });
        if (payment.status === 'processing') {
          await this.deps.payments.changeStatus(tx, payment, 'requires_payment_method', {
            event: 'payment.failed',
            action: 'payment.attempt_failed',
            ctx,
            mutate: (p) => {
              p.lastError = { code: result.code, message: result.message };
            },
          });
        } else {
          await tx.flush();
        }
      }),
    );
    const view = await this.session(token);
    return nextAction ? { ...view, nextAction } : view;
  }

  /** The customer's answer on the 3-D Secure page; the outcome again arrives by webhook. */
  async completeAction(token: string, approve: boolean, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    const { attemptId, reference, provider, accountId } = await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        this.assertOpen(payment);
        const attempt = await latestAttempt(tx, claims.id, true);
        if (payment.status !== 'requires_action' || !attempt?.providerReference) {
          throw new AppError('invalid_state', 'This payment is not waiting for authentication');
        }
        attempt.status = 'processing';
        attempt.updatedAt = this.now();
        await this.deps.payments.changeStatus(tx, payment, 'processing', {
          event: 'payment.processing',
          action: approve ? 'payment.authentication_completed' : 'payment.authentication_failed',
          ctx,
        });
        return { attemptId: attempt.id, reference: attempt.providerReference, provider: attempt.provider, accountId: attempt.providerAccountId };
      }),
    );
    const account = await this.scoped(claims, (em) => this.deps.accounts.byId(em, accountId));
    if (!account || account.provider !== provider) throw new AppError('internal_error', `Provider ${provider} is not available`);
    const adapter = this.adapter(account.provider);
    const result = await this.deps.caller.call(account.id, () => adapter.completeAction({ account, attemptId, paymentId: claims.id, reference, approve }));
    if (!result.ok) throw new AppError('service_unavailable', 'The provider could not be reached; please try again');
    return this.session(token);
  }

  private async openAttempt(claims: Claims, account: ProviderAccount, status: AttemptStatus): Promise<string> {
    return this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        const attempt = startAttempt(tx, payment, account.provider, this.now());
        attempt.status = status;
        attempt.providerAccountId = account.id;
        await tx.flush();
        return attempt.id;
      }),
    );
  }

  private adapter(name: ProviderName): PaymentProvider {
    const adapter = this.deps.providers.get(name);
    if (!adapter) throw new AppError('internal_error', `Provider ${name} is not registered`);
    return adapter;
  }

  private async resolve(token: string): Promise<Claims> {
    const em = this.deps.orm.em.fork();
    const payment = await resolveCheckoutToken(em, this.deps.tokens, token, this.now());
    return {
      id: payment.id,
      tenantId: payment.tenantId,
      mode: payment.mode,
      amount: payment.amount,
      currency: payment.currency,
      description: payment.description ?? null,
    };
  }

  private scoped<T>(claims: { tenantId: string; mode: 'sandbox' | 'live' }, run: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.deps.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { tenantId: claims.tenantId, mode: claims.mode });
    return run(em);
  }

  private assertOpen(payment: Payment): void {
    if (isFinalPaymentStatus(payment.status)) {
      throw new AppError('invalid_state', payment.status === 'succeeded' ? 'This payment is already paid' : 'This payment was canceled');
    }
  }

  private async view(em: EntityManager, payment: Payment): Promise<CheckoutView> {
    const tenant = await em.findOneOrFail(TenantSchema, { id: payment.tenantId });
    return {
      paymentId: payment.id,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      description: payment.description ?? null,
      mode: payment.mode,
      merchant: { displayName: tenant.displayName, logoUrl: tenant.logoUrl ?? null, brandColor: tenant.brandColor ?? null },
      lastError: payment.lastError ?? null,
      returnUrl: payment.returnUrl ? withPaymentId(payment.returnUrl, payment.id) : null,
      cancelUrl: payment.cancelUrl ?? null,
      provider: payment.provider ?? null,
      nextAction: payment.status === 'requires_action' && (payment.provider ?? 'sandbox') === 'sandbox' ? { type: 'three_d_secure' } : null,
      expiresAt: payment.checkoutExpiresAt?.toISOString() ?? null,
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** What every provider call about one attempt of this payment carries. */
function attemptRequest(claims: Claims, account: ProviderAccount, attemptId: string) {
  return { account, attemptId, paymentId: claims.id, amount: claims.amount, currency: claims.currency as CurrencyCode, mode: claims.mode };
}

interface Claims {
  id: string;
  tenantId: string;
  mode: Mode;
  amount: number;
  currency: string;
  description: string | null;
}

/** The redirect carries only the id: the tenant must ask the API for the status. */
export function withPaymentId(returnUrl: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('paymentId', paymentId);
  return url.toString();
}
