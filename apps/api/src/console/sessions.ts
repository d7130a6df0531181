import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CookieOptions } from 'express';
import { ConsoleSessionSchema, UserSchema } from '../db/entities/index.js';
import type { UserRole } from '../services/users.js';
import type { CookieJar } from './cookies.js';

export const SESSION_COOKIE = 'console_session';
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** A session is written back at most once a minute, not on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

export interface ConsoleUser {
  id: string;
  email: string;
  role: UserRole;
}

export function hashSessionToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/**
 * Server-side console sessions. The role is read from the user row on every request, so a
 * demotion takes effect at once; removing a user deletes its sessions (foreign key cascade).
 */
export class ConsoleSessions {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(em: EntityManager, userId: string, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string }> {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = this.now();
    // Expired sessions of this user go now; the table stays bounded by logins per week.
    await em.nativeDelete(ConsoleSessionSchema, { userId, $or: [{ expiresAt: { $lte: now } }, { absoluteExpiresAt: { $lte: now } }] });
    em.create(ConsoleSessionSchema, {
      tokenHash: hashSessionToken(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
      absoluteExpiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 500) ?? null,
    });
    await em.flush();
    return { token };
  }

  /** The session's user, or null when the token is unknown or expired; slides the idle expiry. */
  async resolve(em: EntityManager, token: string | undefined): Promise<ConsoleUser | null> {
    if (!token || token.length > 200) return null;
    const session = await em.findOne(ConsoleSessionSchema, { tokenHash: hashSessionToken(token) });
    if (!session) return null;
    const now = this.now();
    if (session.expiresAt <= now || session.absoluteExpiresAt <= now) {
      await em.nativeDelete(ConsoleSessionSchema, { tokenHash: session.tokenHash });
      return null;
    }
    const user = await em.findOne(UserSchema, { id: session.userId });
    if (!user) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      session.lastSeenAt = now;
      session.expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, session.absoluteExpiresAt.getTime()));
      await em.flush();
    }
    return { id: user.id, email: user.email, role: user.role };
  }

  async destroy(em: EntityManager, token: string | undefined): Promise<void> {
    if (token) await em.nativeDelete(ConsoleSessionSchema, { tokenHash: hashSessionToken(token) });
  }
}

/** httpOnly, SameSite=Strict, Path=/, Secure when the console is served over https. */
export function sessionCookieOptions(publicUrl: string): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: publicUrl.startsWith('https:'), maxAge: SESSION_ABSOLUTE_MS };
}

export function setSessionCookie(cookies: CookieJar, publicUrl: string, token: string): void {
  cookies.set(SESSION_COOKIE, token, sessionCookieOptions(publicUrl));
}

export function clearSessionCookie(cookies: CookieJar, publicUrl: string): void {
  const { maxAge: _maxAge, ...options } = sessionCookieOptions(publicUrl);
  cookies.clear(SESSION_COOKIE, options);
}
