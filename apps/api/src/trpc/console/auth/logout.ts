import { consoleProcedure } from '../../init.js';
import { logout } from '../../../console/auth.js';
import { clearSessionCookie, SESSION_COOKIE } from '../../../console/sessions.js';

/** Ends this session (also when it already expired) and clears the cookie. */
export const logoutProcedure = consoleProcedure.mutation(async ({ ctx }) => {
  await logout(ctx.platform.orm, ctx.cookies.get(SESSION_COOKIE), ctx.user, ctx);
  clearSessionCookie(ctx.cookies, ctx.platform.config.publicUrl);
  return { ok: true as const };
});
