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
} from '@platform/core';
import { reissueCheckoutSchema } from './routes/payments.js';

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const errorResponse = (description: string) => ({ description, ...json(errorResponseSchema) });
const idempotencyHeader = z.object({
  'Idempotency-Key': z.string().min(1).max(255).meta({ description: 'Unique per logical request; kept 24 h per tenant + mode.' }),
});
const idParam = z.object({ id: z.string().meta({ description: 'Object id' }) });

const commonErrors: ZodOpenApiResponsesObject = {
  '400': errorResponse('Invalid request'),
  '401': errorResponse('Missing, invalid or expired token'),
  '404': errorResponse('No such object in this tenant and mode'),
  '429': errorResponse('Rate limit hit'),
  '500': errorResponse('Platform fault; safe to retry with the same Idempotency-Key'),
};
const postErrors: ZodOpenApiResponsesObject = {
  ...commonErrors,
  '409': errorResponse('Same key still in flight, or transition not allowed'),
  '413': errorResponse('Body over 64 KiB'),
  '422': errorResponse('Idempotency-Key reused with a different request'),
};

const secured = { security: [{ bearerAuth: [] }] };

function post(summary: string, body: z.ZodType | null, status: '200' | '201', response: z.ZodType, path?: z.ZodObject): ZodOpenApiOperationObject {
  return {
    summary,
    ...secured,
    requestParams: { header: idempotencyHeader, ...(path ? { path } : {}) },
    ...(body ? { requestBody: { required: status === '201', ...json(body) } } : {}),
    responses: { [status]: { description: summary, ...json(response) }, ...postErrors },
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
    },
    paths: {
      '/v1/auth/token': {
        post: {
          summary: 'Exchange app name and secret for an access token',
          requestBody: { required: true, ...json(authTokenRequestSchema) },
          responses: { '200': { description: 'Access token', ...json(authTokenResponseSchema) }, '400': errorResponse('Invalid request'), '401': errorResponse('Bad credentials') },
        },
      },
      '/v1/payments': {
        post: post('Create a payment', createPaymentSchema, '201', paymentSchema),
        get: {
          summary: 'List payments (newest first)',
          ...secured,
          requestParams: { query: paymentListQuerySchema },
          responses: { '200': { description: 'A page of payments', ...json(listSchema(paymentSchema, 'PaymentList')) }, ...commonErrors },
        },
      },
      '/v1/payments/{id}': {
        get: {
          summary: 'Retrieve a payment (authoritative status)',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': { description: 'The payment', ...json(paymentSchema) }, ...commonErrors },
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
          responses: { '200': { description: 'The attempts', ...json(listSchema(paymentAttemptSchema, 'PaymentAttemptList')) }, ...commonErrors },
        },
      },
      '/v1/payments/{id}/refunds': {
        post: post('Refund a succeeded payment (amount omitted = everything not yet refunded)', createRefundSchema, '201', refundSchema, idParam),
        get: {
          summary: "List a payment's refunds (newest first)",
          ...secured,
          requestParams: { path: idParam, query: listQuerySchema },
          responses: { '200': { description: 'A page of refunds', ...json(listSchema(refundSchema, 'RefundList')) }, ...commonErrors },
        },
      },
      '/v1/refunds/{id}': {
        get: {
          summary: 'Retrieve a refund',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': { description: 'The refund', ...json(refundSchema) }, ...commonErrors },
        },
      },
      '/v1/events': {
        get: {
          summary: 'List events (kept 30 days)',
          ...secured,
          requestParams: { query: eventListQuerySchema },
          responses: { '200': { description: 'A page of events', ...json(listSchema(eventSchema, 'EventList')) }, ...commonErrors },
        },
      },
      '/v1/webhook-endpoints': {
        post: post('Register a webhook endpoint (the secret is shown once)', createWebhookEndpointSchema, '201', webhookEndpointSchema),
        get: {
          summary: 'List webhook endpoints',
          ...secured,
          requestParams: { query: listQuerySchema },
          responses: { '200': { description: 'A page of endpoints', ...json(listSchema(webhookEndpointSchema, 'WebhookEndpointList')) }, ...commonErrors },
        },
      },
      '/v1/webhook-endpoints/{id}': {
        get: {
          summary: 'Retrieve a webhook endpoint',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': { description: 'The endpoint', ...json(webhookEndpointSchema) }, ...commonErrors },
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
            '200': { description: 'Deleted', ...json(z.object({ id: z.string(), object: z.literal('webhook_endpoint'), deleted: z.literal(true) }).strict()) },
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
          responses: { '200': { description: 'A page of deliveries', ...json(listSchema(webhookDeliverySchema, 'WebhookDeliveryList')) }, ...commonErrors },
        },
      },
      '/v1/events/{id}': {
        get: {
          summary: 'Retrieve an event',
          ...secured,
          requestParams: { path: idParam },
          responses: { '200': { description: 'The event', ...json(eventSchema) }, ...commonErrors },
        },
      },
    },
  });
}
