import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { PaymentAttemptSchema, type AttemptStatus, type Payment, type PaymentAttempt } from '../db/entities/index.js';
import { newId } from '../ids.js';
import type { PaymentAttemptObject } from '@platform/core';

/** Payment attempts: one row per try at a provider, newest last. */
export function startAttempt(em: EntityManager, payment: Payment, provider: string, now: Date): PaymentAttempt {
  return em.create(PaymentAttemptSchema, {
    id: newId('attempt'),
    tenantId: payment.tenantId,
    mode: payment.mode,
    paymentId: payment.id,
    provider,
    providerReference: null,
    providerAccountId: null,
    clientResult: null,
    status: 'processing',
    errorCode: null,
    errorMessage: null,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  });
}

export async function latestAttempt(em: EntityManager, paymentId: string, lock = false): Promise<PaymentAttempt | null> {
  return em.findOne(
    PaymentAttemptSchema,
    { paymentId },
    { orderBy: { id: 'desc' }, ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
  );
}

export function finishAttempt(attempt: PaymentAttempt, status: AttemptStatus, now: Date, error?: { code: string; message: string }): void {
  attempt.status = status;
  attempt.updatedAt = now;
  if (status === 'succeeded' || status === 'failed') attempt.completedAt = now;
  if (error) {
    attempt.errorCode = error.code;
    attempt.errorMessage = error.message;
  }
}

export async function attemptsOf(em: EntityManager, paymentId: string): Promise<PaymentAttempt[]> {
  return em.find(PaymentAttemptSchema, { paymentId }, { orderBy: { id: 'asc' } });
}

export function toAttemptObject(a: PaymentAttempt): PaymentAttemptObject {
  return {
    id: a.id,
    object: 'payment_attempt',
    mode: a.mode,
    paymentId: a.paymentId,
    provider: a.provider,
    providerReference: a.providerReference ?? null,
    status: a.status,
    error: a.errorCode ? { code: a.errorCode, message: a.errorMessage ?? null } : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    completedAt: a.completedAt?.toISOString() ?? null,
  };
}
