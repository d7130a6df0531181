import crypto from 'node:crypto';
import type PgBoss from 'pg-boss';
import { signSandboxWebhook, type SandboxWebhookBody, type ScheduleWebhook } from '@platform/providers';
import type { Logger } from '../logger.js';
import { QUEUES } from './boss.js';

/** The sandbox provider's webhook secret, derived from the platform's encryption key (nothing to configure). */
export function sandboxWebhookSecret(encryptionKey: Buffer): string {
  const key = Buffer.from(crypto.hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'sandbox-provider-webhooks', 32));
  return `whsec_${key.toString('base64')}`;
}

interface SandboxWebhookJob {
  body: SandboxWebhookBody;
}

/** The sandbox provider hands its webhooks to the job queue: durable across restarts, delayed ones included. */
export function queueSandboxWebhook(boss: PgBoss): ScheduleWebhook {
  return async (body, delayMs) => {
    await boss.send(QUEUES.sandboxWebhook, { body } satisfies SandboxWebhookJob, {
      ...(delayMs > 0 ? { startAfter: new Date(Date.now() + delayMs) } : {}),
      retryLimit: 20,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: 60,
    });
  };
}

/**
 * Delivers queued sandbox webhooks to POST /webhooks/sandbox, signing at send time (so a retry
 * carries a fresh timestamp) — the same path and checks a real provider's webhook goes through.
 */
export async function workSandboxWebhooks(boss: PgBoss, options: { secret: string; targetBaseUrl: string; logger: Logger }): Promise<void> {
  await boss.work<SandboxWebhookJob>(QUEUES.sandboxWebhook, { pollingIntervalSeconds: 0.5, batchSize: 5 }, async (jobs) => {
    for (const job of jobs) {
      const { body } = job.data;
      const res = await fetch(`${options.targetBaseUrl}/webhooks/sandbox`, {
        method: 'POST',
        headers: signSandboxWebhook(options.secret, body),
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
      if (!res.ok) {
        options.logger.warn({ status: res.status, eventId: body.id }, 'sandbox webhook not accepted; will retry');
        throw new Error(`sandbox webhook ${body.id} answered ${res.status}`);
      }
    }
  });
}
