import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/orm.js';
import { createPlatform, startWorker } from './platform.js';
import { createApp } from './http/app.js';
import { seedIfEmpty } from './seed.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const db = await openDatabase(config, 'server');
  const platform = await createPlatform(config, { databaseUrl: db.url });
  const { logger } = platform;
  // The embedded database is ours alone, so it is migrated on start; a shared PostgreSQL is
  // migrated explicitly (`npm run cli -- migrate`) and /readyz reports pending migrations.
  if (db.embedded) await migrate(platform.orm);
  const seeded = (await platform.isMigrated()) ? await seedIfEmpty(platform.orm.em.fork(), platform.tenants) : null;

  const app = createApp(platform);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  // The worker posts sandbox-provider webhooks to the API: this process in ROLE=all, PUBLIC_URL otherwise.
  const localUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(server.address() as { port: number }).port}`;
  if (config.role !== 'api') await startWorker(platform, config.role === 'all' ? localUrl : config.publicUrl);
  const base = config.publicUrl;
  const lines = [
    '',
    `Payment platform is running (role: ${config.role}, database: ${db.embedded ? `embedded in ${config.dataDir}/pg` : 'DATABASE_URL'})`,
    `  API            ${base}/v1`,
    `  API docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Checkout       ${base}/pay/<checkoutToken>`,
    `  Console        ${base}/console/`,
    `  Health         ${base}/healthz  ${base}/readyz  ${base}/metrics`,
  ];
  if (seeded) {
    lines.push(
      '',
      'First start: created these credentials. They are shown ONCE; save them now.',
      `  Console admin  ${seeded.admin.email} / ${seeded.admin.password}`,
      `  Sandbox tenant appName=${seeded.tenant.appName}  appSecret=${seeded.tenant.sandboxSecret}`,
      '',
      'Try it:',
      `  curl -s ${base}/v1/auth/token -H 'Content-Type: application/json' \\`,
      `    -d '{"appName":"${seeded.tenant.appName}","appSecret":"${seeded.tenant.sandboxSecret}"}'`,
    );
  } else {
    lines.push('', 'Credentials were printed on first start; new ones: npm run cli -- tenant:create --app-name my-app');
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await platform.close();
    await db.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
