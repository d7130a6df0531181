import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * A console login. The cookie holds a random token; the row is keyed by its SHA-256, so the
 * table alone cannot be replayed. Idle expiry slides (`expiresAt`), `absoluteExpiresAt` does not.
 */
export const ConsoleSessionSchema = defineEntity({
  name: 'ConsoleSession',
  tableName: 'console_sessions',
  properties: (p) => ({
    tokenHash: p.string().primary(),
    userId: p.string(),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    expiresAt: p.datetime(),
    absoluteExpiresAt: p.datetime(),
    ip: p.string().nullable(),
    userAgent: p.text().nullable(),
  }),
});
export type ConsoleSession = InferEntity<typeof ConsoleSessionSchema>;
