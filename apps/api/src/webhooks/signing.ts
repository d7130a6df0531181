import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing: `webhook-signature` is `v1,<base64 HMAC-SHA256(secret, "{id}.{ts}.{body}")>`,
 * and during a rotation two space-separated signatures, old then new, so receivers holding
 * either secret verify.
 */
export function signWebhook(secrets: readonly string[], id: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}

export function generateWebhookSecret(bytes = 32): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64')}`;
}
