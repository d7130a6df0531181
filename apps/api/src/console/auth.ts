import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { UserSchema } from '../db/entities/index.js';
import { burnVerification, verifySecret } from '../auth/secrets.js';
import { appendAudit } from '../services/audit.js';
import type { MutationContext } from '../services/context.js';
import { LoginThrottle } from './login-throttle.js';
import { ConsoleSessions, type ConsoleUser } from './sessions.js';

export const consoleSessions = new ConsoleSessions();
export const loginThrottle = new LoginThrottle();

export interface LoginRequest {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  /** The browser's current session cookie, if any: replaced by the new session. */
  previousToken?: string | undefined;
}

/**
 * E-mail + password → a new session. Unknown e-mails cost one slow hash too, and both failures
 * answer the same; throttling runs first (see login-throttle.ts).
 */
export async function login(orm: MikroORM, req: LoginRequest): Promise<{ user: ConsoleUser; token: string }> {
  const email = req.email.trim().toLowerCase();
  const em = orm.em.fork();
  const attempt = await loginThrottle.begin(em, loginThrottle.keys(email, req.ip));
  const user = await em.findOne(UserSchema, { email });
  const ok = user ? await verifySecret(req.password, user.passwordHash) : (await burnVerification(req.password), false);
  if (!user || !ok) throw new AppError('invalid_credentials', 'Invalid e-mail or password');
  await loginThrottle.succeeded(em, email, req.ip ?? null, attempt);
  const consoleUser: ConsoleUser = { id: user.id, email: user.email, role: user.role };
  const { token } = await orm.em.fork().transactional(async (tx) => {
    await consoleSessions.destroy(tx, req.previousToken);
    const session = await consoleSessions.create(tx, user.id, { ip: req.ip, userAgent: req.userAgent });
    await appendAudit(tx, actorContext(consoleUser, req), { action: 'console.login', targetType: 'user', targetId: user.id, tenantId: null, mode: null });
    return session;
  });
  return { user: consoleUser, token };
}

export async function logout(orm: MikroORM, token: string | undefined, user: ConsoleUser | null, req: { ip: string | null; requestId: string }): Promise<void> {
  await orm.em.fork().transactional(async (tx: EntityManager) => {
    await consoleSessions.destroy(tx, token);
    if (user) await appendAudit(tx, actorContext(user, req), { action: 'console.logout', targetType: 'user', targetId: user.id, tenantId: null, mode: null });
  });
}

/** Every console mutation's audit actor: the signed-in user. */
export function actorContext(user: ConsoleUser, req: { ip: string | null; requestId: string }): MutationContext {
  return { actor: { type: 'user', id: user.id }, requestId: req.requestId, ip: req.ip };
}
