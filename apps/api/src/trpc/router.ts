import { router } from './init.js';
import { checkoutRouter } from './checkout/router.js';

export const appRouter = router({
  checkout: checkoutRouter,
});

/** The type the web apps import (`import type { AppRouter } from '@platform/api'`). */
export type AppRouter = typeof appRouter;
