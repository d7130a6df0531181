import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { loadKeys } from '../src/keys.js';
import { TokenService } from '../src/auth/tokens.js';

const KEY_32 = Buffer.alloc(32, 7).toString('base64');
const ED25519 = crypto.generateKeyPairSync('ed25519');
const P256 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const JWK_ED25519 = JSON.stringify(ED25519.privateKey.export({ format: 'jwk' }));
const PEM_ED25519 = ED25519.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const PEM_P256 = P256.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/pay' };

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

  it('NODE_ENV=production with DATABASE_URL and no JWT_PRIVATE_KEY → error naming JWT_PRIVATE_KEY (replicas must share the signing key)', () => {
    const err = configError({ ...PRODUCTION, ENCRYPTION_KEY: KEY_32 });
    expect(err.message).toContain('JWT_PRIVATE_KEY');
    expect(err.message).toContain('required');
    expect(err.message).not.toContain('ENCRYPTION_KEY');
    expect(err.message).not.toContain('\n');
  });

  it('production with DATABASE_URL and both keys starts; production on the embedded default needs no key', () => {
    const config = loadConfig({ ...PRODUCTION, ENCRYPTION_KEY: KEY_32, JWT_PRIVATE_KEY: JWK_ED25519 });
    expect(config).toMatchObject({ production: true, encryptionKey: KEY_32, jwtPrivateKey: JWK_ED25519 });
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ encryptionKey: undefined, jwtPrivateKey: undefined });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/pay' })).toMatchObject({ encryptionKey: undefined, jwtPrivateKey: undefined });
  });

  it.each(['STRIPE_API_BASE_URL', 'ADYEN_CHECKOUT_BASE_URL'])('%s (test only) is refused when NODE_ENV=production, naming it; accepted otherwise', (name) => {
    const err = configError({ ...PRODUCTION, ENCRYPTION_KEY: KEY_32, JWT_PRIVATE_KEY: JWK_ED25519, [name]: 'http://attacker.example' });
    expect(err.message).toContain(name);
    expect(err.message).not.toContain('\n');
    expect(configError({ NODE_ENV: 'production', [name]: 'http://127.0.0.1:1' }).message).toContain(name);
    expect(() => loadConfig({ [name]: 'http://127.0.0.1:1' })).not.toThrow();
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, 'loopback'],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.5', '10.0.0.0/8, 192.168.1.5'],
    ['loopback, uniquelocal', 'loopback, uniquelocal'],
  ])('%s → trust proxy %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('a malformed value stops start-up naming TRUST_PROXY', () => {
    expect(configError({ TRUST_PROXY: 'evil; rm -rf' }).message).toContain('TRUST_PROXY');
  });
});

describe('JWT_PRIVATE_KEY', () => {
  it.each<[string, string]>([
    ['JWK with single quotes (not JSON)', "{'kty':'OKP','crv':'Ed25519'}"],
    ['truncated JWK', JWK_ED25519.slice(0, 30)],
    ['public JWK', JSON.stringify(ED25519.publicKey.export({ format: 'jwk' }))],
    ['public PEM', ED25519.publicKey.export({ format: 'pem', type: 'spki' }) as string],
    ['RSA key', crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string],
    ['P-384 key', crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string],
    ['garbage', 'not-a-key'],
  ])('malformed (%s) → one line naming JWT_PRIVATE_KEY', (_label, value) => {
    const err = configError({ JWT_PRIVATE_KEY: value });
    expect(err.message).toMatch(/^Invalid configuration: JWT_PRIVATE_KEY must be an Ed25519 or P-256 private key/);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toMatch(/position|Unexpected token/);
  });

  it.each<[string, string, 'EdDSA' | 'ES256']>([
    ['Ed25519 JWK', JWK_ED25519, 'EdDSA'],
    ['Ed25519 PKCS#8 PEM', PEM_ED25519, 'EdDSA'],
    ['Ed25519 PEM with literal \\n (one-line environment value)', PEM_ED25519.trim().replace(/\n/g, '\\n'), 'EdDSA'],
    ['P-256 PKCS#8 PEM', PEM_P256, 'ES256'],
    ['P-256 SEC1 PEM', P256.privateKey.export({ format: 'pem', type: 'sec1' }) as string, 'ES256'],
    ['P-256 JWK', JSON.stringify(P256.privateKey.export({ format: 'jwk' })), 'ES256'],
  ])('accepts %s', async (_label, value, alg) => {
    const config = loadConfig({ JWT_PRIVATE_KEY: value, ENCRYPTION_KEY: KEY_32 });
    expect((await loadKeys(config)).signing.alg).toBe(alg);
  });

  it('replicas with the same JWT_PRIVATE_KEY (each with its own DATA_DIR) accept each other\'s tokens', async () => {
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'replica-')));
    try {
      const [a, b] = await Promise.all(
        dirs.map(async (dir) => new TokenService((await loadKeys(loadConfig({ ...PRODUCTION, DATA_DIR: dir, ENCRYPTION_KEY: KEY_32, JWT_PRIVATE_KEY: PEM_ED25519 }))).signing)),
      );
      const { token } = await a!.signTenantToken({ tenantId: 'ten_1', mode: 'live' });
      await expect(b!.verifyTenantToken(token)).resolves.toEqual({ tenantId: 'ten_1', mode: 'live' });
      // Nothing was generated into the replicas' data directories.
      for (const dir of dirs) expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up stops with one line naming the setting (apps/api/src/main.ts)', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  function start(env: Record<string, string>) {
    const { DATABASE_URL: _d, ENCRYPTION_KEY: _e, JWT_PRIVATE_KEY: _j, NODE_ENV: _n, ...base } = process.env;
    return spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      cwd: root,
      env: { ...base, DATA_DIR: dataDir, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it.each<[string, Record<string, string>]>([
    ['production without JWT_PRIVATE_KEY', { ...PRODUCTION, ENCRYPTION_KEY: KEY_32 }],
    ['a malformed JWK', { JWT_PRIVATE_KEY: "{'kty':'OKP'}" }],
  ])('%s', (_label, env) => {
    const result = start(env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: JWT_PRIVATE_KEY /);
  }, 40_000);
});
