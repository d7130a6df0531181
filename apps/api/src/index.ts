/** Types for the web apps. Import with `import type` only: the API's runtime never ships to browsers. */
export type { AppRouter } from './trpc/router.js';
export type { CheckoutView } from './services/checkout.js';
