import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

/** A logger writing into an array, one entry per line, as a log shipper would see them. */
function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) });
  return { logger, lines, output: () => lines.join('\n') };
}

const CARDS = ['4242 4242 4242 4242', '4242424242424242', '4000000000000002', '4000-0000-0000-0002', '4000 0027 6000 3184', '378282246310005'];

describe('createLogger never writes secrets or card numbers', () => {
  it('redacts the Authorization and Cookie headers of a logged request', () => {
    const { logger, output, lines } = capture();
    logger.info({ req: { method: 'GET', url: '/v1/payments', headers: { authorization: 'Bearer abc.def.ghi', cookie: 'session=s3cr3t' } } }, 'request');
    expect(lines).toHaveLength(1);
    expect(output()).not.toContain('abc.def.ghi');
    expect(output()).not.toContain('Bearer');
    expect(output()).not.toContain('s3cr3t');
    // the rest of the request is still there, so the log stays useful
    expect(JSON.parse(lines[0]!).req).toMatchObject({ method: 'GET', url: '/v1/payments', headers: { authorization: '[REDACTED]' } });
  });

  it("redacts { req: { headers: { authorization: 'Bearer abc' } } }", () => {
    const { logger, output } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer abc' } } });
    expect(output()).not.toContain('Bearer abc');
    expect(output()).not.toMatch(/"authorization":"[^[]/);
  });

  it.each([
    ['at the top level', { appSecret: 'sk_sandbox_x' }],
    ['one level down', { body: { appSecret: 'sk_sandbox_x' } }],
  ])('redacts an appSecret %s', (_where, obj) => {
    const { logger, output } = capture();
    logger.info(obj, 'login');
    expect(output()).not.toContain('sk_sandbox_x');
    expect(output()).toContain('[REDACTED]');
  });

  it.each(['secret', 'password', 'accessToken', 'checkoutToken', 'encryptionKey', 'jwtPrivateKey', 'cardNumber', 'cvc', 'credentials', 'secretKey', 'webhookSecret', 'apiKey', 'hmacKey'])(
    'redacts %s at the top level and one level down',
    (key) => {
      const { logger, output } = capture();
      logger.info({ [key]: 'TOPVALUE_do_not_log' }, 'a');
      logger.info({ input: { [key]: 'NESTEDVALUE_do_not_log' } }, 'b');
      expect(output()).not.toContain('TOPVALUE_do_not_log');
      expect(output()).not.toContain('NESTEDVALUE_do_not_log');
    },
  );

  it.each(CARDS)('masks the card number %s in messages, fields and error stacks', (card) => {
    const { logger, output } = capture();
    logger.info(`customer paid with ${card} today`);
    logger.warn({ note: `card=${card}` }, 'field');
    logger.error({ err: new Error(`declined ${card}`) }, 'failed');
    const digits = card.replace(/\D/g, '');
    expect(output()).not.toContain(card);
    expect(output().replace(/\D/g, '')).not.toContain(digits);
    expect(output()).toContain('[REDACTED_PAN]');
  });

  it('every line is still valid JSON with a readable time, and short numbers are left alone', () => {
    const { logger, lines } = capture();
    logger.info({ amount: 1999, orderId: '1001', paymentId: 'pay_01JABCDEF0123456789' }, 'card 4242 4242 4242 4242 was used');
    logger.info({ appSecret: 'sk_sandbox_x' }, 'x');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const parsed = JSON.parse(line);
      expect(Number.isNaN(Date.parse(parsed.time))).toBe(false);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ amount: 1999, orderId: '1001', paymentId: 'pay_01JABCDEF0123456789', msg: 'card [REDACTED_PAN] was used' });
  });

  it('masks secret-shaped values at any depth and inside messages (tenant secrets, webhook secrets, bearer tokens)', () => {
    const { logger, output, lines } = capture();
    logger.info({ a: { b: { c: { appSecret: 'sk_live_deep1234567890abc' } } }, note: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'retry with sk_sandbox_inMessage123 and Bearer eyJhbGciOi.eyJzdWIi.sig');
    expect(output()).not.toContain('deep1234567890abc');
    expect(output()).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(output()).not.toContain('inMessage123');
    expect(output()).not.toContain('eyJzdWIi');
    expect(output()).toContain('sk_live_[REDACTED]');
    expect(() => JSON.parse(lines[0]!)).not.toThrow();
  });

  it('masks Stripe secret and restricted keys, test and live, wherever they appear', () => {
    const { logger, output } = capture();
    logger.warn({ account: { note: 'sk_test_51HxTestKeyValue000' } }, 'provider call failed with rk_live_RestrictedKey0001 and sk_live_LiveKeyValue0002');
    expect(output()).not.toContain('51HxTestKeyValue000');
    expect(output()).not.toContain('RestrictedKey0001');
    expect(output()).not.toContain('LiveKeyValue0002');
    expect(output()).toContain('rk_live_[REDACTED]');
  });

  it('masks checkout tokens (JWTs) in logged URLs, also URL-encoded inside tRPC inputs', () => {
    const { logger, output } = capture();
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJwYXlfMSJ9.c2lnbmF0dXJlLXBhcnQ';
    logger.info({ req: { url: `/pay/${jwt}` } }, 'request');
    logger.info({ req: { url: `/trpc/checkout.session?input=${encodeURIComponent(JSON.stringify({ token: jwt }))}` } }, 'request');
    expect(output()).not.toContain('eyJzdWIiOiJwYXlfMSJ9');
    expect(output()).not.toContain('c2lnbmF0dXJlLXBhcnQ');
  });

  it('respects the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe('shown');
  });
});
