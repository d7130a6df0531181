import { initTRPC, TRPCError } from '@trpc/server';
import { AppError, isAppError } from '@platform/core';
import type { CheckoutService } from '../services/checkout.js';
import type { Logger } from '../logger.js';

export interface TrpcContext {
  checkout: CheckoutService;
  logger: Logger;
  requestId: string;
  ip: string | null;
}

/**
 * tRPC for the checkout (and later the console). AppErrors keep their typed code (`data.appCode`)
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

export const router = t.router;
export const publicProcedure = t.procedure.use(appErrors);
