import { z } from 'zod';
import { CURRENCY_CODES, isCurrencyCode } from './currencies.js';
import { MAX_AMOUNT } from './money.js';
import { PAYMENT_STATUSES } from './payment-status.js';
import { ERROR_MAP } from './errors.js';
import { cardNumberShaped, cvcValid, expiryInFuture } from './card.js';

/** Shared zod schemas: REST validation, OpenAPI generation and the web apps use the same ones. */
export const modeSchema = z.enum(['sandbox', 'live']).meta({ id: 'Mode' });

export const METADATA_MAX_KEYS = 50;
export const METADATA_KEY_MAX = 40;
export const METADATA_VALUE_MAX = 500;

export const amountSchema = z
  .number({ error: 'amount must be a positive integer in minor units' })
  .int({ error: 'amount must be a positive integer in minor units' })
  .positive({ error: 'amount must be a positive integer in minor units' })
  .max(MAX_AMOUNT, { error: `amount must be at most ${MAX_AMOUNT}` })
  .meta({ description: 'Amount in the currency minor unit (1999 EUR = €19.99).', example: 1999 });

export const currencySchema = z
  .string({ error: 'currency must be an ISO 4217 code' })
  .refine(isCurrencyCode, { error: 'currency must be a supported upper-case ISO 4217 code' })
  .meta({ description: 'ISO 4217 upper-case code.', example: 'EUR', enum: CURRENCY_CODES });

export const metadataSchema = z
  .record(
    z.string(),
    z.string({ error: 'metadata values must be strings' }).max(METADATA_VALUE_MAX, {
      error: `metadata values are at most ${METADATA_VALUE_MAX} characters`,
    }),
  )
  .refine((m) => Object.keys(m).length <= METADATA_MAX_KEYS, {
    error: `metadata has at most ${METADATA_MAX_KEYS} keys`,
  })
  .superRefine((m, ctx) => {
    for (const key of Object.keys(m)) {
      if (key.length < 1 || key.length > METADATA_KEY_MAX) {
        ctx.addIssue({ code: 'custom', path: [key], message: `metadata keys are 1–${METADATA_KEY_MAX} characters` });
      }
    }
  })
  .meta({ id: 'Metadata', description: 'Up to 50 string keys (≤ 40 chars) with string values (≤ 500 chars).' });

export const customerSchema = z
  .object({
    email: z.email().max(254).optional(),
    name: z.string().max(200).optional(),
  })
  .strict()
  .meta({ id: 'Customer' });

const urlSchema = z.string().max(2048).meta({ format: 'uri' });

export const createPaymentSchema = z
  .object({
    amount: amountSchema,
    currency: currencySchema,
    description: z.string().max(1000).optional(),
    customer: customerSchema.optional(),
    metadata: metadataSchema.optional(),
    returnUrl: urlSchema.meta({ description: 'Where the customer goes after a final outcome (allowed origins only).' }),
    cancelUrl: urlSchema.optional(),
    provider: z.enum(['sandbox', 'stripe', 'adyen']).optional(),
    checkoutExpiresInSeconds: z.number().int().min(60).max(86_400).optional().meta({ default: 3600 }),
  })
  .strict()
  .meta({ id: 'CreatePaymentRequest' });
export type CreatePaymentInput = z.infer<typeof createPaymentSchema>;

export const lastErrorSchema = z
  .object({ code: z.string(), message: z.string() })
  .nullable()
  .meta({ id: 'PaymentError' });

export const paymentSchema = z
  .object({
    id: z.string().meta({ example: 'pay_2f9c…' }),
    object: z.literal('payment'),
    mode: modeSchema,
    status: z.enum(PAYMENT_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    amountRefunded: z.number().int(),
    description: z.string().nullable(),
    customer: z.object({ email: z.string().optional(), name: z.string().optional() }).nullable(),
    metadata: z.record(z.string(), z.string()),
    provider: z.string().nullable(),
    providerReference: z.string().nullable(),
    returnUrl: z.string().nullable(),
    cancelUrl: z.string().nullable(),
    checkoutToken: z.string().optional(),
    checkoutUrl: z.string().optional(),
    checkoutExpiresAt: z.string().nullable(),
    lastError: lastErrorSchema,
    cancellationReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict()
  .meta({ id: 'Payment' });
export type PaymentObject = z.infer<typeof paymentSchema>;

export const paymentAttemptSchema = z
  .object({
    id: z.string().meta({ example: 'att_01j…' }),
    object: z.literal('payment_attempt'),
    mode: modeSchema,
    paymentId: z.string(),
    provider: z.string(),
    providerReference: z.string().nullable(),
    status: z.enum(['pending', 'processing', 'requires_action', 'succeeded', 'failed', 'unknown']),
    error: z.object({ code: z.string(), message: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'PaymentAttempt', description: 'One try at a provider account (failover and retries show up as several).' });
export type PaymentAttemptObject = z.infer<typeof paymentAttemptSchema>;

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export const createRefundSchema = z
  .object({
    amount: amountSchema.optional().meta({ description: 'Minor units; omitted = everything not yet refunded.' }),
    reason: z.enum(REFUND_REASONS, { error: `reason must be one of ${REFUND_REASONS.join(', ')}` }).optional(),
  })
  .strict()
  .meta({ id: 'CreateRefundRequest' });
export type CreateRefundInput = z.infer<typeof createRefundSchema>;

export const refundSchema = z
  .object({
    id: z.string().meta({ example: 're_01j…' }),
    object: z.literal('refund'),
    mode: modeSchema,
    paymentId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    reason: z.enum(REFUND_REASONS).nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict()
  .meta({ id: 'Refund' });
export type RefundObject = z.infer<typeof refundSchema>;

export const EVENT_TYPES = [
  'payment.created',
  'payment.processing',
  'payment.requires_action',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'refund.created',
  'refund.succeeded',
  'refund.failed',
  /** Sent by `POST /v1/webhook-endpoints/{id}/test` to that endpoint only. */
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const eventSchema = z
  .object({
    id: z.string(),
    object: z.literal('event'),
    type: z.enum(EVENT_TYPES),
    mode: modeSchema,
    createdAt: z.string(),
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .strict()
  .meta({ id: 'Event' });
export type EventObject = z.infer<typeof eventSchema>;

export function listSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({ object: z.literal('list'), data: z.array(item), hasMore: z.boolean() })
    .strict()
    .meta({ id });
}

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  startingAfter: z.string().max(64).optional(),
});

export const paymentListQuerySchema = listQuerySchema.extend({ status: z.enum(PAYMENT_STATUSES).optional() });
export const eventListQuerySchema = listQuerySchema.extend({ type: z.enum(EVENT_TYPES).optional() });

export const authTokenRequestSchema = z
  .object({ appName: z.string().min(1).max(100), appSecret: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'AuthTokenRequest' });

export const authTokenResponseSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
    mode: modeSchema,
  })
  .strict()
  .meta({ id: 'AuthTokenResponse' });

export const errorResponseSchema = z
  .object({
    error: z
      .object({
        type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'idempotency_error', 'rate_limit_error', 'api_error']),
        code: z.enum(Object.keys(ERROR_MAP) as [keyof typeof ERROR_MAP, ...(keyof typeof ERROR_MAP)[]]),
        message: z.string(),
        param: z.string().optional(),
        requestId: z.string(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Error' });

/** Webhook endpoints (spec/rest-api.md "Events and webhook endpoints", spec/webhooks.md "Out"). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== 'webhook.test') as Exclude<EventType, 'webhook.test'>[];

export const createWebhookEndpointSchema = z
  .object({
    url: z.string().max(2048).meta({ format: 'uri', description: 'https (any mode) or http (sandbox only).' }),
    events: z
      .array(z.union([z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]]), z.literal('*')]))
      .min(1)
      .max(EVENT_TYPES.length)
      .optional()
      .meta({ description: 'Event types to receive; omit or ["*"] for all.' }),
  })
  .strict()
  .meta({ id: 'CreateWebhookEndpointRequest' });

/** POST /v1/webhook-endpoints/{id}: every field optional; `status: 'enabled'` re-enables a disabled endpoint. */
export const updateWebhookEndpointSchema = z
  .object({
    url: createWebhookEndpointSchema.shape.url.optional(),
    events: createWebhookEndpointSchema.shape.events,
    status: z
      .enum(['enabled', 'disabled'])
      .optional()
      .meta({ description: "'enabled' re-enables an endpoint disabled after failures (and restarts the 5-day failure clock); 'disabled' stops deliveries." }),
  })
  .strict()
  .meta({ id: 'UpdateWebhookEndpointRequest' });

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    mode: modeSchema,
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.string().nullable(),
    secret: z.string().optional().meta({ description: 'Shown once: on creation and on rotation.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict()
  .meta({ id: 'WebhookEndpoint' });

export const webhookAttemptSchema = z
  .object({
    attemptedAt: z.string(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    responseExcerpt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'WebhookAttempt' });

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    mode: modeSchema,
    endpointId: z.string(),
    eventId: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    attempts: z.array(webhookAttemptSchema),
    createdAt: z.string(),
  })
  .strict()
  .meta({ id: 'WebhookDelivery' });

export const replayEventSchema = z.object({ eventId: z.string().min(1).max(64) }).strict().meta({ id: 'ReplayEventRequest' });

/**
 * Sandbox card data as the checkout API accepts it. Any card-shaped number is accepted — the
 * sandbox declines every number that is not a test card, checksum or not, with
 * `test_card_required` (spec/payments.md); the hosted page checks the checksum before sending.
 */
export const cardSchema = z
  .object({
    number: z.string().max(30).refine(cardNumberShaped, { error: 'Card number must be 12 to 19 digits' }),
    expMonth: z.number().int().min(1).max(12),
    expYear: z.number().int().min(0).max(2100),
    cvc: z.string().refine(cvcValid, { error: 'CVC must be 3 or 4 digits' }),
    name: z.string().max(200).optional(),
  })
  .strict()
  .refine((c) => expiryInFuture(c.expMonth, c.expYear, new Date()), { error: 'The card has expired', path: ['expMonth'] });
