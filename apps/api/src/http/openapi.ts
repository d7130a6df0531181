import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import {
  authTokenRequestSchema,
  authTokenResponseSchema,
  createPaymentSchema,
  errorResponseSchema,
  eventListQuerySchema,
  eventSchema,
  listSchema,
  paymentListQuerySchema,
  paymentSchema,
  listQuerySchema,
  createWebhookEndpointSchema,
  updateWebhookEndpointSchema,
  webhookEndpointSchema,
  webhookDeliverySchema,
  replayEventSchema,
  createRefundSchema,
  refundSchema,
  paymentAttemptSchema,
  modeSchema,
} from '@platform/core';
import { reissueCheckoutSchema } from './routes/payments.js';

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/**
 * Response headers, each defined once under `components.headers` (the id is the header name)
 * and referenced from responses. zod-openapi turns every use of these exact schema instances
 * into a `$ref`.
 */
const header = (name: string, schema: z.ZodType, description: string, example?: string | number) =>
  schema.meta({ header: { id: name, description, ...(example === undefined ? {} : { example }) } });
const responseHeaders = {
  // request-id.ts
  'Request-Id': header(
    'Request-Id',
    z.string().regex(/^req_[A-Za-z0-9_-]+$/),
    'Unique id of this request, on every response; error bodies repeat it as `requestId`.',
    'req_8vX2kQp1ZtR4mN7c',
  ),
  // idempotency.ts
  'Idempotent-Replayed': header(
    'Idempotent-Replayed',
    z.literal('true').optional(),
    'Present, with the value `true`, only when this is the stored response to an earlier request with the same Idempotency-Key (replayed, nothing executed again).',
  ),
  // rate-limit.ts
  'Retry-After': header('Retry-After', z.int().min(1), 'Seconds to wait before the budget allows another request.', 1),
  'RateLimit-Limit': header('RateLimit-Limit', z.int().min(1), 'Requests allowed per second for this app and mode.', 25),
  'RateLimit-Remaining': header('RateLimit-Remaining', z.int().min(0), 'Requests left in the current window.', 0),
  'RateLimit-Reset': header('RateLimit-Reset', z.int().min(1), 'Seconds until the current window ends.', 1),
};
type HeaderName = keyof typeof responseHeaders;
const RATE_LIMIT_HEADERS: HeaderName[] = ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

/** Every response carries Request-Id, plus the `extra` headers. */
const response = (description: string, schema: z.ZodType, extra: HeaderName[] = []) => ({
  description,
  headers: z.object(Object.fromEntries(['Request-Id' as const, ...extra].map((name) => [name, responseHeaders[name]]))),
  ...json(schema),
});

/**
 * The error statuses the REST API answers (the spec's Errors table). No 403: nothing under /v1
 * throws `permission_denied` (that is the hosted checkout's and the console's, over tRPC), and
 * another tenant's or mode's id is a 404 so that existence does not leak.
 */
const ERRORS = {
  '400': 'Invalid request: malformed JSON or failed validation (see `param`); on a POST also a missing or invalid Idempotency-Key',
  '401': 'Missing, invalid or expired token',
  '404': 'No such object in this tenant and mode',
  '409': 'Same key still in flight, or transition not allowed',
  '413': 'Body over 64 KiB',
  '422': 'Idempotency-Key reused with a different request',
  '429': 'Rate limit hit (per app and mode); wait `Retry-After` seconds',
  '500': 'Platform fault (api_error); nothing was stored: safe to retry (a POST with the same Idempotency-Key)',
  '503': 'Platform temporarily unavailable (api_error), e.g. database migrations pending; safe to retry (a POST with the same Idempotency-Key)',
} as const;
type ErrorStatus = keyof typeof ERRORS;
/** Any operation can fail on the platform side. */
const SERVER_ERRORS: ErrorStatus[] = ['500', '503'];
/** The 4xx that idempotency.ts stores and replays (401/413 come before it; 422/429 and 409 in flight are never stored; 5xx roll back). */
const REPLAYED_ERRORS: ErrorStatus[] = ['400', '404', '409'];

const errorResponse = (status: ErrorStatus, description: string = ERRORS[status], extra: HeaderName[] = []) =>
  response(description, errorResponseSchema, [...(status === '429' ? RATE_LIMIT_HEADERS : []), ...extra]);
/** The given 4xx plus the server errors; `replayable` ones may come with Idempotent-Replayed. */
const errors = (statuses: ErrorStatus[], replayable: ErrorStatus[] = []): ZodOpenApiResponsesObject =>
  Object.fromEntries(
    [...statuses, ...SERVER_ERRORS].map((status) => [status, errorResponse(status, ERRORS[status], replayable.includes(status) ? ['Idempotent-Replayed'] : [])]),
  );

/** The Idempotency-Key rule idempotency.ts enforces (its KEY_PATTERN): 1–255 printable ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .meta({ description: 'Unique per logical request, 1–255 printable ASCII characters; kept 24 h per tenant + mode.' }),
});
const idParam = z.object({ id: z.string().meta({ description: 'Object id' }) });

/** Reads and deletes (bearer token, rate limited). */
const commonErrors = errors(['400', '401', '404', '429']);
/** Every POST takes a JSON body (413), carries an Idempotency-Key (409, 422) and may be a replay. */
const postErrors = errors(['400', '401', '404', '409', '413', '422', '429'], REPLAYED_ERRORS);

const secured = { security: [{ bearerAuth: [] }] };

function post(summary: string, body: z.ZodType | null, status: '200' | '201', result: z.ZodType, path?: z.ZodObject): ZodOpenApiOperationObject {
  return {
    summary,
    ...secured,
    requestParams: { header: idempotencyHeader, ...(path ? { path } : {}) },
    ...(body ? { requestBody: { required: status === '201', ...json(body) } } : {}),
    responses: { [status]: response(summary, result, ['Idempotent-Replayed']), ...postErrors },
  };
}

export function buildOpenApiDocument(serverUrl: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Payment platform — tenant REST API',
      version: '1.0.0',
      description: 'Create payments, send customers to the hosted checkout, read statuses and events.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      headers: responseHeaders,
    },
    paths: {
      '/v1/auth/token': {
        post: {
          summary: 'Exchange app name and secret for an access token',
          requestBody: { required: true, ...json(authTokenRequestSchema) },
          // Before authentication and the rate limit: no 404, 429; no Idempotency-Key.
          responses: {
            '200': response('Access token', authTokenResponseSchema),
            ...errors(['400', '401', '413']),
            '401': errorResponse('401', 'Bad credentials (the same answer for an unknown app name and a wrong secret)'),
          },
        },
      },
      '/v1/payments': {
        post: post('Create a payment', createPaymentSchema, '201', paymentSchema),
        get: {
          summary: 'List payments (newest first)',
          ...secured,
          requestParams: { query: paymentListQuerySchema },
          responses: { '200': response('A page of payments', listSchema(paymentSchema, 'PaymentList')), ...commonErrors },
        },
      },
      '/v1/payments/{id}': {
        get: {
          summary: 'Retrieve a payment (authoritative status)',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': response('The payment', paymentSchema), ...commonErrors },
        },
      },
      '/v1/payments/{id}/cancel': {
        post: post('Cancel a payment', null, '200', paymentSchema, idParam),
      },
      '/v1/payments/{id}/checkout': {
        post: post('Issue a fresh checkout token (the previous one is revoked)', reissueCheckoutSchema, '200', paymentSchema, idParam),
      },
      '/v1/payments/{id}/attempts': {
        get: {
          summary: "List a payment's attempts at providers (oldest first)",
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': response('The attempts', listSchema(paymentAttemptSchema, 'PaymentAttemptList')), ...commonErrors },
        },
      },
      '/v1/payments/{id}/refunds': {
        post: post('Refund a succeeded payment (amount omitted = everything not yet refunded)', createRefundSchema, '201', refundSchema, idParam),
        get: {
          summary: "List a payment's refunds (newest first)",
          ...secured,
          requestParams: { path: idParam, query: listQuerySchema },
          responses: { '200': response('A page of refunds', listSchema(refundSchema, 'RefundList')), ...commonErrors },
        },
      },
      '/v1/refunds/{id}': {
        get: {
          summary: 'Retrieve a refund',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': response('The refund', refundSchema), ...commonErrors },
        },
      },
      '/v1/events': {
        get: {
          summary: 'List events (kept 30 days)',
          ...secured,
          requestParams: { query: eventListQuerySchema },
          responses: { '200': response('A page of events', listSchema(eventSchema, 'EventList')), ...commonErrors },
        },
      },
      '/v1/webhook-endpoints': {
        post: post('Register a webhook endpoint (the secret is shown once)', createWebhookEndpointSchema, '201', webhookEndpointSchema),
        get: {
          summary: 'List webhook endpoints',
          ...secured,
          requestParams: { query: listQuerySchema },
          responses: { '200': response('A page of endpoints', listSchema(webhookEndpointSchema, 'WebhookEndpointList')), ...commonErrors },
        },
      },
      '/v1/webhook-endpoints/{id}': {
        get: {
          summary: 'Retrieve a webhook endpoint',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': response('The endpoint', webhookEndpointSchema), ...commonErrors },
        },
        post: post(
          "Update a webhook endpoint: url, events, status ('enabled' re-enables one disabled after failures)",
          updateWebhookEndpointSchema,
          '200',
          webhookEndpointSchema,
          idParam,
        ),
        delete: {
          summary: 'Delete a webhook endpoint',
          ...secured,
          requestParams: { path: idParam },
          responses: {
            '200': response('Deleted', z.object({ id: z.string(), object: z.literal('webhook_endpoint'), mode: modeSchema, deleted: z.literal(true) }).strict()),
            ...commonErrors,
          },
        },
      },
      '/v1/webhook-endpoints/{id}/rotate-secret': {
        post: post(
          'Rotate the signing secret (the old one also signs for 24 h)',
          null,
          '200',
          webhookEndpointSchema.extend({ previousSecretExpiresAt: z.string() }).strict(),
          idParam,
        ),
      },
      '/v1/webhook-endpoints/{id}/test': {
        post: post('Send a webhook.test event to this endpoint', null, '201', webhookDeliverySchema, idParam),
      },
      '/v1/webhook-endpoints/{id}/replay': {
        post: post('Re-send an event to this endpoint', replayEventSchema, '201', webhookDeliverySchema, idParam),
      },
      '/v1/webhook-endpoints/{id}/deliveries': {
        get: {
          summary: 'Deliveries to this endpoint with every attempt (newest first)',
          ...secured,
          requestParams: { path: idParam, query: listQuerySchema },
          responses: { '200': response('A page of deliveries', listSchema(webhookDeliverySchema, 'WebhookDeliveryList')), ...commonErrors },
        },
      },
      '/v1/events/{id}': {
        get: {
          summary: 'Retrieve an event',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': response('The event', eventSchema), ...commonErrors },
        },
      },
    },
  });
}
