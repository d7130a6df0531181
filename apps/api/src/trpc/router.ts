import { router } from './init.js';
import { checkoutRouter } from './checkout/router.js';
import { consoleRouter } from './console/router.js';

export const appRouter = router({
  checkout: checkoutRouter,
  console: consoleRouter,
});

/** The type the web apps import (`import type { AppRouter } from '@platform/api'`). */
export type AppRouter = typeof appRouter;
