import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { AppError, type Mode } from '@platform/core';
import type { SigningKeys } from '../keys.js';

const ISSUER = 'payment-platform';
export const TENANT_TOKEN_TTL_SECONDS = 900;

export interface TenantClaims {
  tenantId: string;
  mode: Mode;
}

export interface CheckoutClaims {
  paymentId: string;
  tenantId: string;
  mode: Mode;
  tokenId: string;
}

/** Signs and verifies every token the platform issues: audience-scoped, short-lived, one algorithm. */
export class TokenService {
  constructor(private readonly keys: SigningKeys, private readonly now: () => Date = () => new Date()) {}

  async signTenantToken(claims: TenantClaims): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const token = await new jose.SignJWT({ mode: claims.mode })
      .setProtectedHeader({ alg: this.keys.alg, kid: this.keys.kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience('tenant-api')
      .setSubject(claims.tenantId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + TENANT_TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { token, expiresIn: TENANT_TOKEN_TTL_SECONDS };
  }

  async verifyTenantToken(token: string): Promise<TenantClaims> {
    const payload = await this.verify(token, 'tenant-api');
    const mode = payload['mode'];
    if (!payload.sub || (mode !== 'sandbox' && mode !== 'live')) throw invalidToken();
    return { tenantId: payload.sub, mode };
  }

  async signCheckoutToken(claims: CheckoutClaims, expiresAt: Date, issuedAt: Date = this.now()): Promise<string> {
    return new jose.SignJWT({ tid: claims.tenantId, mode: claims.mode })
      .setProtectedHeader({ alg: this.keys.alg, kid: this.keys.kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience('checkout')
      .setSubject(claims.paymentId)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(claims.tokenId)
      .sign(this.keys.privateKey);
  }

  /**
   * Signature, audience and expiry only; revocation is the payment's current token id (see
   * services/checkout-tokens.ts). With `ignoreExpiry` an expired but genuine token still tells
   * us its payment, so the expiry page can offer the way back to the shop.
   */
  async verifyCheckoutToken(token: string, options: { ignoreExpiry?: boolean } = {}): Promise<CheckoutClaims & { expired: boolean; expiresAt: Date }> {
    let expired = false;
    let at: Date | undefined;
    if (options.ignoreExpiry) {
      try {
        const exp = jose.decodeJwt(token).exp;
        if (typeof exp === 'number' && exp * 1000 <= this.now().getTime()) {
          expired = true;
          at = new Date((exp - 1) * 1000);
        }
      } catch {
        throw invalidToken();
      }
    }
    const payload = await this.verify(token, 'checkout', at);
    const { sub, jti, tid, mode, exp } = payload;
    if (!sub || !jti || typeof tid !== 'string' || (mode !== 'sandbox' && mode !== 'live') || typeof exp !== 'number') throw invalidToken();
    return { paymentId: sub, tenantId: tid, mode, tokenId: jti, expired, expiresAt: new Date(exp * 1000) };
  }

  private async verify(token: string, audience: string, at?: Date): Promise<jose.JWTPayload> {
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(token, this.keys.publicKey, {
        algorithms: [this.keys.alg],
        issuer: ISSUER,
        audience,
        currentDate: at ?? this.now(),
      });
      if (protectedHeader.kid !== this.keys.kid) throw invalidToken();
      return payload;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof jose.errors.JWTExpired) throw new AppError('token_expired', 'The access token has expired');
      throw invalidToken();
    }
  }
}

function invalidToken(): AppError {
  return new AppError('token_invalid', 'The access token is invalid');
}
