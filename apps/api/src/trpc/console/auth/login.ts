import { z } from 'zod';
import { consoleProcedure } from '../../init.js';
import { login } from '../../../console/auth.js';
import { SESSION_COOKIE, setSessionCookie } from '../../../console/sessions.js';

export const loginInput = z.object({
  email: z.string().min(3).max(254),
  password: z.string().min(1).max(1024),
});

/** E-mail + password → session cookie `console_session`; returns the user. */
export const loginProcedure = consoleProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
  const userAgent = ctx.headers['user-agent'] ?? null;
  const previousToken = ctx.cookies.get(SESSION_COOKIE);
  const { user, token } = await login(ctx.platform.orm, { ...input, ip: ctx.ip, userAgent, requestId: ctx.requestId, previousToken });
  setSessionCookie(ctx.cookies, ctx.platform.config.publicUrl, token);
  return user;
});
