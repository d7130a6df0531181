import express, { type Express, type RequestHandler } from 'express';
import { AppError, isAppError } from '@platform/core';
import { TRPCError } from '@trpc/server';
import { pinoHttp } from 'pino-http';
import type { Platform } from './platform.js';
import { requestId, requestIdOf } from './request-id.js';
import { jsonBody } from './body.js';
import { authenticate } from './authenticate.js';
import { rateLimit } from './rate-limit.js';
import { databaseRateLimitStore, memoryRateLimitStore } from './rate-limit-store.js';
import { errorHandler, notFound } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { paymentRoutes } from './routes/payments.js';
import { refundRoutes } from './routes/refunds.js';
import { eventRoutes } from './routes/events.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { opsRoutes } from './routes/ops.js';
import { buildOpenApiDocument } from './openapi.js';
import { docsRoutes } from './docs-page.js';
import { webAppRoutes, type DevWebApps } from './web-apps.js';
import { securityHeaders } from './security-headers.js';
import { providerWebhookRoutes } from './routes/provider-webhooks.js';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { appRouter } from '../trpc/router.js';
import { cookieJar } from '../console/cookies.js';

export interface AppOptions {
  /** `npm run dev`: serve the checkout and the console from Vite dev servers instead of their builds. */
  devWebApps?: DevWebApps;
}

/**
 * The HTTP app of this process. `ROLE=worker` serves only the operational endpoints (/healthz,
 * /readyz, /metrics) so it can be probed and scraped; everything else answers 404.
 */
export function createApp(platform: Platform, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', platform.config.trustProxy);
  app.use(securityHeaders);
  app.use(requestId);
  app.use(platform.metrics.middleware);
  app.use(
    pinoHttp({
      logger: platform.logger,
      genReqId: (_req, res) => requestIdOf(res as unknown as express.Response),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );

  app.use(opsRoutes(platform));
  if (platform.config.role !== 'worker') apiRoutes(app, platform, options);

  app.use(notFound);
  app.use(errorHandler(platform.logger));
  return app;
}

const MIGRATIONS_PENDING = 'Database migrations are pending; run: npm run cli -- migrate';

function apiRoutes(app: Express, platform: Platform, options: AppOptions): void {
  // The API refuses to serve on an unmigrated database; /readyz says why. One check for
  // /v1, /webhooks/{provider} and /trpc (the web apps' static files are still served).
  const assertMigrated = async (): Promise<void> => {
    if (!(await platform.isMigrated())) throw new AppError('service_unavailable', MIGRATIONS_PENDING);
  };
  const refuseUnmigrated: RequestHandler = async (_req, _res, next) => {
    await assertMigrated();
    next();
  };

  const openapi = buildOpenApiDocument(platform.config.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(docsRoutes());
  app.use(webAppRoutes(options.devWebApps, (token) => platform.checkout.providersForPage(token)));
  app.use('/webhooks', refuseUnmigrated);
  app.use(providerWebhookRoutes(platform));
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: 64 * 1024,
      createContext: async ({ req, res }) => {
        // tRPC's own error shape (data.appCode = service_unavailable, HTTP 503), which the apps read.
        await assertMigrated().catch((err: unknown) => {
          throw isAppError(err) ? new TRPCError({ code: err.trpcCode, message: err.message, cause: err }) : err;
        });
        return {
          platform,
          checkout: platform.checkout,
          logger: platform.logger,
          requestId: requestIdOf(res),
          ip: req.ip ?? null,
          headers: req.headers,
          cookies: cookieJar(req, res),
        };
      },
    }),
  );

  const v1 = express.Router();
  v1.use(refuseUnmigrated);
  v1.use(jsonBody);
  v1.use(authRoutes(platform));
  v1.use(authenticate(platform));
  v1.use(
    rateLimit(platform.config, platform.config.rateLimit.store === 'database' ? databaseRateLimitStore(platform.orm) : memoryRateLimitStore()),
  );
  v1.use(paymentRoutes(platform));
  v1.use(refundRoutes(platform));
  v1.use(eventRoutes());
  v1.use(webhookEndpointRoutes(platform));
  // Errors of /v1 routes are answered inside /v1: leaving the router would reset req.baseUrl,
  // and the metrics route label would lose its /v1 prefix ("/payments/:id").
  v1.use(errorHandler(platform.logger));
  app.use('/v1', v1);
}
