import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { z } from 'zod';
import { UserSchema } from '../db/entities/index.js';
import { newId } from '../ids.js';
import { generatePassword, hashSecret } from '../auth/secrets.js';
import { appendAudit } from './audit.js';
import type { MutationContext } from './context.js';

export const USER_ROLES = ['admin', 'support', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * THE rule for a console user's e-mail, applied by createUser (so by `user:create`, start-up
 * seeding and the console's `users.create`), and meant as that procedure's tRPC input schema
 * too: `local@domain`, exactly one `@`, both parts non-empty, no whitespace or
 * control characters, at most 254 characters. The domain may be a single label (`ann@localhost`)
 * or end in a one-letter label (`a@b.c`, the spec's own example): deliverability is not ours to
 * judge. Normalized here (trimmed, lower-cased), so the stored e-mail and every lookup agree.
 */
export const USER_EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
export const USER_EMAIL_MESSAGE = 'email must be an e-mail address (local@domain)';
export const userEmailSchema = z.string().trim().toLowerCase().max(254, { error: USER_EMAIL_MESSAGE }).regex(USER_EMAIL_PATTERN, { error: USER_EMAIL_MESSAGE });

/** Console users (the console itself arrives later; `user:create` and start-up seed them now). */
export async function createUser(
  em: EntityManager,
  input: { email: string; role: UserRole; password?: string },
  ctx: MutationContext,
): Promise<{ email: string; role: UserRole; password: string }> {
  const email = userEmailSchema.safeParse(input.email);
  if (!email.success) throw new AppError('parameter_invalid', USER_EMAIL_MESSAGE, { param: 'email' });
  if (!USER_ROLES.includes(input.role)) throw new AppError('parameter_invalid', 'role must be admin, support or viewer', { param: 'role' });
  if (input.password !== undefined && input.password.length < 12) {
    throw new AppError('parameter_invalid', 'password must be at least 12 characters', { param: 'password' });
  }
  if (await em.findOne(UserSchema, { email: email.data })) {
    throw new AppError('parameter_invalid', `A user with e-mail '${email.data}' already exists`, { param: 'email' });
  }
  const password = input.password ?? generatePassword();
  const now = new Date();
  const user = em.create(UserSchema, {
    id: newId('user'),
    email: email.data,
    role: input.role,
    passwordHash: await hashSecret(password),
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  await appendAudit(em, ctx, {
    action: 'user.create',
    targetType: 'user',
    targetId: user.id,
    tenantId: null,
    mode: null,
    after: { email: user.email, role: user.role },
  });
  return { email: user.email, role: input.role, password };
}
