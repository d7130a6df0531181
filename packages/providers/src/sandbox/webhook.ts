import { Webhook } from 'standardwebhooks';
import type { NormalizedOutcome, ProviderEvent, WebhookParseResult } from '@platform/core';

/**
 * The sandbox provider's webhooks: Standard-Webhooks-signed JSON, posted to
 * POST /webhooks/sandbox exactly like a real provider's.
 */
export interface SandboxWebhookBody {
  id: string;
  type: 'sandbox.outcome';
  created: string;
  data: { paymentId: string | null; attemptId?: string; refundId?: string; reference: string; outcome: NormalizedOutcome };
}

export function signSandboxWebhook(secret: string, body: SandboxWebhookBody, now = new Date()): Record<string, string> {
  const payload = JSON.stringify(body);
  return {
    'content-type': 'application/json',
    'webhook-id': body.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(body.id, now, payload),
  };
}

export function parseSandboxWebhook(secret: string, rawBody: Buffer, headers: Record<string, string | undefined>): WebhookParseResult {
  const payload = rawBody.toString('utf8');
  try {
    new Webhook(secret).verify(
      payload,
      {
        'webhook-id': headers['webhook-id'] ?? '',
        'webhook-timestamp': headers['webhook-timestamp'] ?? '',
        'webhook-signature': headers['webhook-signature'] ?? '',
      },
      // Parse separately: a correctly signed body that is not JSON is malformed, not a bad signature.
      { jsonParse: false },
    );
  } catch (err) {
    return { ok: false, kind: 'invalid_signature', message: (err as Error).message };
  }
  let body: SandboxWebhookBody;
  try {
    body = JSON.parse(payload) as SandboxWebhookBody;
  } catch {
    return { ok: false, kind: 'malformed', message: 'sandbox webhook body is not JSON' };
  }
  const data = body?.data;
  if (!body?.id || !(data?.paymentId || data?.refundId) || !data.reference || !data.outcome?.type) {
    return { ok: false, kind: 'malformed', message: 'sandbox webhook without id, paymentId/refundId, reference or outcome' };
  }
  const event: ProviderEvent = {
    eventId: body.id,
    paymentId: data.paymentId ?? null,
    accountId: 'sandbox',
    ...(data.attemptId ? { attemptId: data.attemptId } : {}),
    reference: data.reference,
    outcome: data.outcome,
    occurredAt: new Date(body.created),
  };
  return { ok: true, events: [event] };
}
