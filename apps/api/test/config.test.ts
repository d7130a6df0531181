import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const KEY_32 = Buffer.alloc(32, 7).toString('base64');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults (spec/operations.md)', () => {
  it('uses the documented defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:4000',
      databaseUrl: undefined,
      dataDir: path.resolve('./.data'),
      encryptionKey: undefined,
      jwtPrivateKey: undefined,
      role: 'all',
      logLevel: 'info',
      webhookAllowPrivateTargets: false,
      rateLimit: { live: 100, sandbox: 25 },
      production: false,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('PUBLIC_URL follows PORT by default and loses a trailing slash when given', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '5000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db:5432/pay',
      DATA_DIR: '/var/lib/pay',
      ENCRYPTION_KEY: KEY_32,
      ROLE: 'worker',
      LOG_LEVEL: 'debug',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      RATE_LIMIT_LIVE: '7',
      RATE_LIMIT_SANDBOX: '0',
      RATE_LIMIT_PUBLIC: '9',
    });
    expect(config).toMatchObject({
      port: 5000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u@db:5432/pay',
      dataDir: '/var/lib/pay',
      encryptionKey: KEY_32,
      role: 'worker',
      logLevel: 'debug',
      webhookAllowPrivateTargets: true,
      rateLimit: { live: 7, sandbox: 0, public: 9 },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ROLE: '' })).toMatchObject({ port: 4000, role: 'all' });
  });
});

describe('a malformed setting stops start-up with one line naming it', () => {
  it.each<[string, Record<string, string>]>([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'short' }],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: Buffer.alloc(33).toString('base64') }],
    ['ROLE', { ROLE: 'admin' }],
    ['ROLE', { ROLE: 'API' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/pay' }],
    ['RATE_LIMIT_LIVE', { RATE_LIMIT_LIVE: '-5' }],
    ['RATE_LIMIT_SANDBOX', { RATE_LIMIT_SANDBOX: 'lots' }],
    ['RATE_LIMIT_PUBLIC', { RATE_LIMIT_PUBLIC: '-1' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['WEBHOOK_ALLOW_PRIVATE_TARGETS', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' }],
  ])('%s in %j', (name, env) => {
    const err = configError(env);
    expect(err.message).toContain(name);
    expect(err.message).not.toContain('\n');
  });

  it('names only the bad variable when others are fine', () => {
    const err = configError({ PORT: '4000', ROLE: 'boss', HOST: 'localhost' });
    expect(err.message).toContain('ROLE');
    expect(err.message).not.toContain('PORT');
  });

  it('NODE_ENV=production with DATABASE_URL and no ENCRYPTION_KEY → error naming ENCRYPTION_KEY', () => {
    const err = configError({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/pay' });
    expect(err.message).toContain('ENCRYPTION_KEY');
    expect(err.message).not.toContain('\n');
  });

  it('production with DATABASE_URL and a valid ENCRYPTION_KEY starts; production on the embedded default needs no key', () => {
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/pay', ENCRYPTION_KEY: KEY_32 }).production).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).encryptionKey).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/pay' }).encryptionKey).toBeUndefined();
  });
});
