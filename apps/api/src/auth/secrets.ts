import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Mode } from '@platform/core';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, keylen: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt parameters: N=2^15 (~32 MiB, tens of ms) — slow enough to hurt brute force, fast enough for /v1/auth/token. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

export function generateTenantSecret(mode: Mode): string {
  return `sk_${mode}_${crypto.randomBytes(24).toString('base64url')}`;
}

export function generatePassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}

export function secretMode(secret: string): Mode | null {
  if (secret.startsWith('sk_sandbox_')) return 'sandbox';
  if (secret.startsWith('sk_live_')) return 'live';
  return null;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(secret, salt, KEY_LENGTH, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** A hash of nothing, verified when the app name is unknown so both failures cost the same. */
let dummyHash: Promise<string> | undefined;
export async function burnVerification(secret: string): Promise<void> {
  dummyHash ??= hashSecret(crypto.randomBytes(16).toString('hex'));
  await verifySecret(secret, await dummyHash);
}
