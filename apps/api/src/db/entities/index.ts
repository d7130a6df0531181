import { AuditEntrySchema } from './audit-entry.js';
import { ConsoleSessionSchema } from './console-session.js';
import { EventSchema } from './event.js';
import { PaymentSchema } from './payment.js';
import { PaymentAttemptSchema } from './payment-attempt.js';
import { TenantSchema, TenantSecretSchema } from './tenant.js';
import { UserSchema } from './user.js';
import { ProviderAccountSchema } from './provider-account.js';
import { RefundSchema } from './refund.js';
import { WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema } from './webhook-endpoint.js';

export * from './audit-entry.js';
export * from './console-session.js';
export * from './event.js';
export * from './payment.js';
export * from './payment-attempt.js';
export * from './tenant.js';
export * from './tenant-scope.js';
export * from './user.js';
export * from './provider-account.js';
export * from './refund.js';
export * from './webhook-endpoint.js';

export const entities = [TenantSchema, TenantSecretSchema, PaymentSchema, PaymentAttemptSchema, EventSchema, AuditEntrySchema, UserSchema, WebhookEndpointSchema, WebhookDeliverySchema, WebhookAttemptSchema, ProviderAccountSchema, RefundSchema, ConsoleSessionSchema];
