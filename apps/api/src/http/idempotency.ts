import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, isAppError, toErrorBody } from '@platform/core';
import { rawBodyOf } from './body.js';
import { requestIdOf } from './request-id.js';
import { scopeOf, tenantEm } from './authenticate.js';
import type { SecretBox } from '../crypto/secret-box.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** Errors about the key itself are never stored: they describe this attempt, not the request. */
const NOT_STORED = new Set(['idempotency_in_progress', 'idempotency_key_reused', 'idempotency_key_missing', 'rate_limited']);

export interface Outcome {
  status: number;
  body: unknown;
}

interface StoredResponse {
  request_hash: string;
  status_code: number;
  response_body: string;
}

/**
 * Runs a mutating request exactly once per Idempotency-Key (tenant + mode scoped, 24 h).
 * The key record and the business change commit in ONE transaction; a transaction-scoped
 * advisory lock on the key turns a concurrent duplicate into 409 `idempotency_in_progress`
 * instead of a second execution; a committed record is replayed byte for byte. 5xx outcomes
 * roll back with everything else, so the client may retry.
 */
export type Idempotent = (req: Request, res: Response, run: (em: EntityManager) => Promise<Outcome>) => Promise<void>;

/**
 * Stored responses are sealed with the platform key: they can hold secrets shown once
 * (webhook endpoint secrets) and checkout tokens, which must not sit in the database in clear.
 */
export function idempotency(box: SecretBox): Idempotent {
  return (req, res, run) => idempotent(box, req, res, run);
}

async function idempotent(box: SecretBox, req: Request, res: Response, run: (em: EntityManager) => Promise<Outcome>): Promise<void> {
  const key = req.header('Idempotency-Key');
  if (key === undefined) {
    throw new AppError('idempotency_key_missing', 'POST requests require an Idempotency-Key header', { param: 'Idempotency-Key' });
  }
  if (!KEY_PATTERN.test(key)) {
    throw new AppError('parameter_invalid', 'Idempotency-Key must be 1–255 printable ASCII characters', { param: 'Idempotency-Key' });
  }
  const scope = scopeOf(res);
  const requestHash = crypto
    .createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n`)
    .update(rawBodyOf(req))
    .digest('hex');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
  const store = (em: EntityManager, status: number, body: string, conflict: 'fail' | 'ignore') =>
    em.execute(
      `insert into idempotency_keys (tenant_id, mode, key, request_hash, status_code, response_body, created_at, expires_at)
       values (?, ?, ?, ?, ?, ?, ?, ?) ${conflict === 'ignore' ? 'on conflict do nothing' : ''}`,
      [scope.tenantId, scope.mode, key, requestHash, status, box.seal(body), now, expiresAt],
    );

  let response: { status: number; body: string; replayed: boolean };
  try {
    response = await tenantEm(res).transactional(async (em) => {
      const [lock] = await em.execute<{ locked: boolean }[]>(
        'select pg_try_advisory_xact_lock(hashtextextended(?, 11)) as locked',
        [`idem:${scope.tenantId}:${scope.mode}:${key}`],
      );
      if (!lock?.locked) throw inProgress();
      const [existing] = await em.execute<StoredResponse[]>(
        'select request_hash, status_code, response_body from idempotency_keys where tenant_id = ? and mode = ? and key = ? and expires_at > ?',
        [scope.tenantId, scope.mode, key, now],
      );
      if (existing) {
        if (existing.request_hash !== requestHash) throw reused();
        return { status: existing.status_code, body: box.open(existing.response_body), replayed: true };
      }
      await em.execute('delete from idempotency_keys where tenant_id = ? and mode = ? and key = ?', [scope.tenantId, scope.mode, key]);
      const outcome = await run(em);
      const body = JSON.stringify(outcome.body);
      await store(em, outcome.status, body, 'fail');
      return { status: outcome.status, body, replayed: false };
    });
  } catch (err) {
    if (isAppError(err) && err.status < 500 && !NOT_STORED.has(err.code)) {
      // A 4xx is an answer too: remember it (outside the rolled-back transaction) so a retry gets the same one.
      await store(tenantEm(res).fork(), err.status, JSON.stringify(toErrorBody(err, requestIdOf(res))), 'ignore');
    }
    throw err;
  }
  if (response.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(response.status).type('application/json').send(response.body);
}

function inProgress(): AppError {
  return new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry later');
}

function reused(): AppError {
  return new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
}
