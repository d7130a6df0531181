import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import { ConfigError, parseSigningKey, type Config } from './config.js';

export interface SigningKeys {
  alg: 'EdDSA' | 'ES256';
  kid: string;
  privateKey: jose.CryptoKey | jose.KeyObject | Uint8Array;
  publicKey: jose.CryptoKey | jose.KeyObject | Uint8Array;
}

export interface PlatformKeys {
  signing: SigningKeys;
  encryptionKey: Buffer;
}

interface StoredKeys {
  jwtPrivateJwk: jose.JWK;
  encryptionKey: string;
}

/**
 * Keys from configuration, or — on the embedded default — generated once into $DATA_DIR/keys.json
 * (mode 0600) so a restart keeps tokens and encrypted data valid.
 */
export async function loadKeys(config: Config): Promise<PlatformKeys> {
  const stored = config.jwtPrivateKey && config.encryptionKey ? undefined : await loadOrCreateStored(config.dataDir);
  const signing = config.jwtPrivateKey
    ? await importConfiguredKey(config.jwtPrivateKey)
    : await importJwk(stored!.jwtPrivateJwk);
  const encryptionKey = Buffer.from(config.encryptionKey ?? stored!.encryptionKey, 'base64');
  return { signing, encryptionKey };
}

async function loadOrCreateStored(dataDir: string): Promise<StoredKeys> {
  const file = path.join(dataDir, 'keys.json');
  if (fs.existsSync(file)) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKeys;
    } catch {
      throw new ConfigError(`Invalid configuration: ${file} (the generated keys in DATA_DIR) is not valid JSON`);
    }
  }
  const { privateKey } = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const stored: StoredKeys = {
    jwtPrivateJwk: await jose.exportJWK(privateKey),
    encryptionKey: crypto.randomBytes(32).toString('base64'),
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  return stored;
}

async function importConfiguredKey(value: string): Promise<SigningKeys> {
  // loadConfig has validated the value already; this guards callers that build a Config by hand.
  const key = parseSigningKey(value);
  if (!key) throw new ConfigError('Invalid configuration: JWT_PRIVATE_KEY must be an Ed25519 or P-256 private key (JWK JSON or PEM)');
  return importJwk(key.export({ format: 'jwk' }) as jose.JWK);
}

async function importJwk(jwk: jose.JWK): Promise<SigningKeys> {
  const alg = jwk.kty === 'EC' ? 'ES256' : 'EdDSA';
  if (!jwk.d) throw new ConfigError('Invalid configuration: JWT_PRIVATE_KEY is not a private key');
  const { d: _d, ...publicJwk } = jwk;
  return {
    alg,
    kid: await jose.calculateJwkThumbprint(publicJwk),
    privateKey: await jose.importJWK(jwk, alg),
    publicKey: await jose.importJWK(publicJwk, alg),
  };
}
