import { WebhookSender, type WebhookSenderDeps } from '../src/jobs/webhook-deliveries.js';
import { createLogger } from '../src/logger.js';
import type { TestPlatform } from './harness.js';

/**
 * A WebhookSender of its own on the test platform's database (silent, live SSRF guard on), for
 * tests that drive `send(deliveryId)` themselves; every re-queue is recorded in `queued` instead
 * of going to pg-boss.
 */
export function testSender(t: TestPlatform, deps: Partial<Omit<WebhookSenderDeps, 'enqueue'>> = {}) {
  const queued: { deliveryId: string; delayMs: number }[] = [];
  const sender = new WebhookSender({
    orm: t.platform.orm,
    box: t.platform.box,
    logger: createLogger('silent'),
    allowPrivateTargets: false,
    enqueue: async (_em, deliveryId, delayMs) => {
      queued.push({ deliveryId, delayMs });
    },
    ...deps,
  });
  return { sender, queued };
}
