import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/orm.js';
import { createPlatform } from './platform.js';
import { startServer } from './server.js';
import { seedIfEmpty } from './seed.js';

/** `npm run dev` passes --dev: Vite dev servers for the web apps (no build), with reload on change. */
const dev = process.argv.slice(2).includes('--dev');

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
  const migrated = await platform.isMigrated();
  const seeded = migrated ? await seedIfEmpty(platform.orm.em.fork(), platform.tenants) : null;

  const server = await startServer(platform, { dev });
  const base = config.publicUrl;
  const database = db.embedded ? `embedded in ${config.dataDir}/pg` : 'DATABASE_URL';
  const lines = [
    '',
    `Payment platform is running (role: ${config.role}, database: ${database}${dev && config.role !== 'worker' ? ', dev: Vite dev servers with hot reload' : ''})`,
  ];
  if (config.role === 'worker') {
    // A worker replica serves only its operational endpoints over HTTP.
    lines.push(`  Health         ${base}/healthz  ${base}/readyz  ${base}/metrics`);
  } else {
    lines.push(
      `  API            ${base}/v1`,
      `  API docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      `  Checkout       ${base}/pay/<checkoutToken>`,
      `  Console        ${base}/console/`,
      `  Health         ${base}/healthz  ${base}/readyz  ${base}/metrics`,
    );
  }
  if (!migrated) {
    lines.push('', 'The database has pending migrations (/readyz names them): /v1, /trpc and /webhooks answer 503 until you run: npm run cli -- migrate');
  } else if (seeded) {
    lines.push(
      '',
      'First start: created these credentials. They are shown ONCE; save them now.',
      `  Console admin  ${seeded.admin.email} / ${seeded.admin.password}`,
      `  Sandbox tenant appName=${seeded.tenant.appName}  appSecret=${seeded.tenant.sandboxSecret}`,
    );
    if (config.role !== 'worker') {
      lines.push(
        '',
        'Try it:',
        `  curl -s ${base}/v1/auth/token -H 'Content-Type: application/json' \\`,
        `    -d '{"appName":"${seeded.tenant.appName}","appSecret":"${seeded.tenant.sandboxSecret}"}'`,
      );
    }
  } else {
    lines.push('', 'Credentials were printed on first start; new ones: npm run cli -- tenant:create --app-name my-app');
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await server.close();
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
