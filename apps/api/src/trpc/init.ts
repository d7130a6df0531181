import type { IncomingHttpHeaders } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import { AppError, isAppError } from '@platform/core';
import type { CheckoutService } from '../services/checkout.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../http/platform.js';
import type { CookieJar } from '../console/cookies.js';
import { SESSION_COOKIE } from '../console/sessions.js';
import { actorContext, consoleSessions } from '../console/auth.js';
import type { UserRole } from '../services/users.js';
import { consumePublicBudget } from '../http/rate-limit.js';

export interface TrpcContext {
  platform: Platform;
  checkout: CheckoutService;
  logger: Logger;
  requestId: string;
  ip: string | null;
  headers: IncomingHttpHeaders;
  cookies: CookieJar;
}

/**
 * tRPC for the checkout and the console. AppErrors keep their typed code (`data.appCode`)
 * and safe details; anything else is an opaque internal error — no stack, no SQL.
 */
const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const app = error.cause instanceof AppError ? error.cause : null;
    const internal = !app && error.code === 'INTERNAL_SERVER_ERROR';
    const zodMessage = error.code === 'BAD_REQUEST' && !app ? firstZodMessage(error.cause) : null;
    return {
      message: internal ? 'An internal error occurred' : (zodMessage ?? shape.message),
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        appCode: app?.code ?? (zodMessage ? 'parameter_invalid' : null),
        details: app?.details ?? null,
        path: shape.data.path,
      },
    };
  },
});

function firstZodMessage(cause: unknown): string | null {
  const issues = (cause as { issues?: { message: string; path: PropertyKey[] }[] } | undefined)?.issues;
  const first = issues?.[0];
  return first ? first.message : null;
}

const appErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isAppError(cause)) {
      throw new TRPCError({ code: cause.trpcCode, message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') ctx.logger.error({ err: cause ?? result.error, requestId: ctx.requestId }, 'trpc procedure failed');
  }
  return result;
});

const publicBudget = t.middleware(async ({ ctx, next }) => {
  await consumePublicBudget(ctx.platform.config, ctx.ip);
  return next();
});

export const router = t.router;
const withErrors = t.procedure.use(appErrors);
/** Anyone (the hosted checkout: authorized by its checkout token), within the per-IP budget. */
export const publicProcedure = withErrors.use(publicBudget);

/**
 * Console mutations need the header `x-console-csrf: 1`: a page on another origin cannot send a
 * custom header without a CORS preflight, which this API never grants (SameSite=Strict too).
 */
export const CSRF_HEADER = 'x-console-csrf';

const csrf = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.headers[CSRF_HEADER] !== '1') {
    throw new AppError('permission_denied', `Console changes need the header ${CSRF_HEADER}: 1`);
  }
  return next();
});

const session = t.middleware(async ({ ctx, next }) => {
  const user = await consoleSessions.resolve(ctx.platform.orm.em.fork(), ctx.cookies.get(SESSION_COOKIE));
  return next({ ctx: { user } });
});

/**
 * Console procedures open to anyone (login, me): CSRF-checked, with the session user or null.
 * Without a session they spend the per-IP public budget; signed-in staff don't.
 */
export const consoleProcedure = withErrors
  .use(csrf)
  .use(session)
  .use(async ({ ctx, next }) => {
    if (!ctx.user) await consumePublicBudget(ctx.platform.config, ctx.ip);
    return next();
  });

/** A valid console session; `ctx.actor` is the user, for audit entries. */
export const authedProcedure = consoleProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new AppError('authentication_required', 'Sign in to the console');
  return next({ ctx: { user: ctx.user, actor: actorContext(ctx.user, ctx) } });
});

/** The user's role is read from the database on every request (console/sessions.ts). */
function withRole(...roles: UserRole[]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role)) throw new AppError('permission_denied', `This needs the ${roles.join(' or ')} role`);
    return next();
  });
}

/** admin or support: read everything, refunds with a reason, webhook replays. */
export const supportProcedure = withRole('admin', 'support');
/** admin: tenants, credentials, provider accounts, users. */
export const adminProcedure = withRole('admin');
