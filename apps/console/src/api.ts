import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@platform/api';

/** What the console's procedures return and take, straight from the server's router type. */
export type Outputs = inferRouterOutputs<AppRouter>['console'];
export type Inputs = inferRouterInputs<AppRouter>['console'];

/**
 * Same-origin tRPC with the console's session cookie. The server refuses mutations without
 * `x-console-csrf` (a header a cross-site form cannot set); sending it on every request keeps
 * the link simple.
 */
export const api = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: '/trpc',
      headers: () => ({ 'x-console-csrf': '1' }),
      fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
    }),
  ],
});

/** A failed call, reduced to what a page needs to decide what to show. */
export interface ApiFailure {
  /** The platform's typed error code (`error.data.appCode`), when the server sent one. */
  appCode: string | null;
  httpStatus: number | null;
  message: string;
  /** No answer from the server at all (offline, connection refused, …). */
  network: boolean;
}

export function toFailure(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data as { appCode?: string | null; httpStatus?: number } | undefined;
    return {
      appCode: data?.appCode ?? null,
      httpStatus: data?.httpStatus ?? null,
      message: error.message,
      network: !data,
    };
  }
  return { appCode: null, httpStatus: null, message: error instanceof Error ? error.message : String(error), network: true };
}

/** The session cookie is gone or expired: the app goes back to the sign-in form. */
export function isUnauthorized(error: unknown): boolean {
  return toFailure(error).httpStatus === 401;
}

/** A sentence a person can act on. */
export function failureMessage(error: unknown): string {
  const failure = toFailure(error);
  if (failure.network) return 'The console could not reach the server. Check the connection and try again.';
  if (failure.httpStatus === 403) return `Not allowed: ${failure.message}`;
  if (failure.httpStatus !== null && failure.httpStatus >= 500) return 'Something went wrong on the server. Try again in a moment.';
  return failure.message;
}
