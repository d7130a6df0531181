import express, { type Express } from 'express';
import { AppError } from '@platform/core';
import { pinoHttp } from 'pino-http';
import type { Platform } from './platform.js';
import { requestId, requestIdOf } from './request-id.js';
import { jsonBody } from './body.js';
import { authenticate } from './authenticate.js';
import { rateLimit } from './rate-limit.js';
import { errorHandler, notFound } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { paymentRoutes } from './routes/payments.js';
import { refundRoutes } from './routes/refunds.js';
import { eventRoutes } from './routes/events.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { opsRoutes } from './routes/ops.js';
import { buildOpenApiDocument } from './openapi.js';
import { docsRoutes } from './docs-page.js';
import { webAppRoutes } from './web-apps.js';
import { providerWebhookRoutes } from './routes/provider-webhooks.js';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { appRouter } from '../trpc/router.js';
import { cookieJar } from '../console/cookies.js';

export function createApp(platform: Platform): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
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
  const openapi = buildOpenApiDocument(platform.config.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(docsRoutes());
  app.use(webAppRoutes());
  app.use(providerWebhookRoutes(platform));
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: 64 * 1024,
      createContext: ({ req, res }) => ({
        platform,
        checkout: platform.checkout,
        logger: platform.logger,
        requestId: requestIdOf(res),
        ip: req.ip ?? null,
        headers: req.headers,
        cookies: cookieJar(req, res),
      }),
    }),
  );

  const v1 = express.Router();
  v1.use(async (_req, _res, next) => {
    // The API refuses to serve on an unmigrated database; /readyz says why.
    if (!(await platform.isMigrated())) throw new AppError('service_unavailable', 'Database migrations are pending; run: npm run cli -- migrate');
    next();
  });
  v1.use(jsonBody);
  v1.use(authRoutes(platform));
  v1.use(authenticate(platform));
  v1.use(rateLimit(platform.config));
  v1.use(paymentRoutes(platform));
  v1.use(refundRoutes(platform));
  v1.use(eventRoutes());
  v1.use(webhookEndpointRoutes(platform));
  // Errors of /v1 routes are answered inside /v1: leaving the router would reset req.baseUrl,
  // and the metrics route label would lose its /v1 prefix ("/payments/:id").
  v1.use(errorHandler(platform.logger));
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(platform.logger));
  return app;
}
