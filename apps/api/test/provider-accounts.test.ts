import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@platform/core';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startStripeFake, type StripeFake } from '../../../packages/providers/test/fakes/stripe-fake.js';
import { runCliInProcess } from './cli-in-process.js';
import { startTestPlatform, TEST_CONTEXT, validPayment, type TestPlatform } from './harness.js';
import { randomKeyPart as random } from './provider-account-setup.js';

/**
 * Provider accounts (spec/payments.md "Providers"): validated per provider and mode, sealed at
 * rest (AES-256-GCM), ordered for routing, and never shown in full — by the service, the CLI
 * (`provider:add`, `provider:list`) or any API answer.
 */
let t: TestPlatform;
let fake: StripeFake;
let tenantN = 0;

beforeAll(async () => {
  fake = await startStripeFake();
  t = await startTestPlatform({ env: { STRIPE_API_BASE_URL: fake.url }, worker: false });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});


function stripeConfig(mode: 'sandbox' | 'live' = 'sandbox') {
  const env = mode === 'live' ? 'live' : 'test';
  const id = random();
  return { secretKey: `sk_${env}_${id}Sec9`, publishableKey: `pk_${env}_${id}Pub8`, webhookSecret: `whsec_${id}Hook7` };
}

function adyenConfig() {
  return {
    apiKey: `AQEyhmfxK${random()}${random()}Key6`,
    merchantAccount: 'AcmeShopECOM',
    clientKey: `test_${random().toUpperCase()}`,
    hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
    environment: 'test',
  };
}

const secretsOf = (config: Record<string, string>) =>
  [config['secretKey'], config['webhookSecret'], config['apiKey'], config['hmacKey']].filter((v): v is string => typeof v === 'string');

async function newTenant() {
  const appName = `pa-shop-${++tenantN}`;
  const tenant = await t.tenantWithTokens(appName);
  return { ...tenant, appName };
}

const add = (input: { tenantId: string; mode: 'sandbox' | 'live'; provider: string; config: unknown; label?: string }) =>
  t.platform.orm.em.fork().transactional((em) => t.platform.providerAccounts.add(em, input, TEST_CONTEXT));

const list = (tenantId: string, mode: 'sandbox' | 'live') => t.platform.providerAccounts.list(t.platform.orm.em.fork(), tenantId, mode);

async function addError(input: Parameters<typeof add>[0]) {
  const err = await add(input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(err), String(err)).toBe(true);
  return err as { code: string; message: string; param?: string };
}

const accountRows = (tenantId: string) =>
  t.sql('select id, mode, provider, label, credentials_sealed, credentials_hint, priority from provider_accounts where tenant_id = ? order by priority, id', [tenantId]);

const cli = (args: string[]) => runCliInProcess(t, args);

describe('ProviderAccountService', () => {
  it('adds a Stripe account: masked view, sealed credentials (not containing the secrets), audited without them', async () => {
    const tenant = await newTenant();
    const config = stripeConfig();
    const view = await add({ tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config, label: 'EU' });
    expect(view).toEqual({
      id: expect.stringMatching(/^pa_/),
      tenantId: tenant.tenantId,
      mode: 'sandbox',
      provider: 'stripe',
      label: 'EU',
      credentials: { secretKey: `sk_test_…${config.secretKey.slice(-4)}`, publishableKey: config.publishableKey, webhookSecret: `whsec_…${config.webhookSecret.slice(-4)}` },
      position: 1,
      createdAt: expect.any(String),
    });

    const [row] = await accountRows(tenant.tenantId);
    expect(row.credentials_sealed).toMatch(/^v1:/);
    for (const secret of secretsOf(config)) {
      expect(row.credentials_sealed).not.toContain(secret);
      expect(row.credentials_sealed).not.toContain(Buffer.from(secret).toString('base64url'));
      expect(JSON.stringify(row.credentials_hint)).not.toContain(secret);
    }
    expect(row.credentials_hint).toEqual(view.credentials);
    // …but they open again, for provider calls only.
    expect(JSON.parse(t.platform.box.open(row.credentials_sealed))).toEqual(config);
    expect(await t.platform.providerAccounts.byId(t.platform.orm.em.fork(), view.id)).toEqual({ id: view.id, mode: 'sandbox', provider: 'stripe', credentials: config });

    const audit = await t.sql(`select action, after from audit_log where target_id = ?`, [view.id]);
    expect(audit).toMatchObject([{ action: 'provider_account.create' }]);
    for (const secret of secretsOf(config)) expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('adds an Adyen account with its secrets masked', async () => {
    const tenant = await newTenant();
    const config = adyenConfig();
    const view = await add({ tenantId: tenant.tenantId, mode: 'sandbox', provider: 'adyen', config });
    expect(view.credentials).toEqual({
      apiKey: `…${config.apiKey.slice(-4)}`,
      merchantAccount: config.merchantAccount,
      clientKey: config.clientKey,
      hmacKey: `…${config.hmacKey.slice(-4)}`,
      environment: 'test',
    });
    const [row] = await accountRows(tenant.tenantId);
    for (const secret of secretsOf(config)) expect(row.credentials_sealed).not.toContain(secret);
  });

  it('validates credentials per provider and mode; a refused account stores nothing', async () => {
    const tenant = await newTenant();
    const base = { tenantId: tenant.tenantId, mode: 'sandbox' as const, provider: 'stripe' };
    const badKey = await addError({ ...base, config: { ...stripeConfig(), secretKey: 'not-a-key' } });
    expect(badKey).toMatchObject({ code: 'parameter_invalid', param: 'config.secretKey' });
    expect(badKey.message).toMatch(/secretKey/);
    expect(badKey.message).not.toContain('not-a-key');

    expect(await addError({ ...base, config: stripeConfig('live') })).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/test keys/) });
    expect(await addError({ ...base, mode: 'live', config: stripeConfig('sandbox') })).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/live keys/) });
    expect(await addError({ ...base, config: { ...stripeConfig(), webhookSecret: undefined } })).toMatchObject({ param: 'config.webhookSecret' });
    expect(await addError({ ...base, config: { ...stripeConfig(), extra: 'x' } })).toMatchObject({ code: 'parameter_invalid' });
    expect(await addError({ ...base, config: 'sk_test_abcdefgh' })).toMatchObject({ code: 'parameter_invalid' });
    expect(await addError({ ...base, provider: 'paypal', config: stripeConfig() })).toMatchObject({ code: 'parameter_invalid', param: 'provider' });
    expect(await addError({ ...base, provider: 'adyen', config: { ...adyenConfig(), hmacKey: 'zz' } })).toMatchObject({ param: 'config.hmacKey' });
    expect(await addError({ ...base, provider: 'adyen', mode: 'live', config: { ...adyenConfig(), environment: 'live', clientKey: 'live_ABCDEFGHIJ' } })).toMatchObject({
      param: 'config.liveEndpointUrlPrefix',
    });
    expect(await addError({ ...base, tenantId: 'ten_nope', config: stripeConfig() })).toMatchObject({ code: 'resource_missing' });

    expect(await accountRows(tenant.tenantId)).toEqual([]);
    const [{ n }] = await t.sql(`select count(*) as n from audit_log where action = 'provider_account.create' and tenant_id = ?`, [tenant.tenantId]);
    expect(Number(n)).toBe(0);
  });

  it('keeps a dense routing order per tenant + mode (also under concurrent adds), reorders, and routes in that order', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const configs = Array.from({ length: 6 }, () => stripeConfig('live'));
    const views = await Promise.all(configs.map((config) => add({ tenantId: tenant.tenantId, mode: 'live', provider: 'stripe', config })));
    expect(views.map((v) => v.position).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const sandbox = await add({ tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config: stripeConfig() });
    expect(sandbox.position).toBe(1);
    await add({ tenantId: other.tenantId, mode: 'live', provider: 'stripe', config: stripeConfig('live') });

    const listed = await list(tenant.tenantId, 'live');
    expect(listed.map((a) => a.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(listed.map((a) => a.id))).toEqual(new Set(views.map((v) => v.id)));
    expect(await list(tenant.tenantId, 'sandbox')).toMatchObject([{ id: sandbox.id }]);
    expect(await list(other.tenantId, 'live')).toHaveLength(1);

    const reversed = listed.map((a) => a.id).reverse();
    const reordered = await t.platform.orm.em
      .fork()
      .transactional((em) => t.platform.providerAccounts.setRouting(em, tenant.tenantId, 'live', reversed, TEST_CONTEXT));
    expect(reordered.map((a) => a.id)).toEqual(reversed);
    const route = await t.platform.providerAccounts.routeFor(t.platform.orm.em.fork(), tenant.tenantId, 'live');
    expect(route.map((a) => a.id)).toEqual(reversed);
    expect(route[0]).toMatchObject({ provider: 'stripe', credentials: configs[views.findIndex((v) => v.id === reversed[0])] });

    // The list must name every account exactly once.
    const partial = await t.platform.orm.em
      .fork()
      .transactional((em) => t.platform.providerAccounts.setRouting(em, tenant.tenantId, 'live', reversed.slice(1), TEST_CONTEXT))
      .catch((e: unknown) => e);
    expect(partial).toMatchObject({ code: 'parameter_invalid', param: 'accountIds' });
  });

  it('sandbox mode without accounts routes to the built-in sandbox; live without accounts routes nowhere', async () => {
    const tenant = await newTenant();
    const em = t.platform.orm.em.fork();
    expect(await t.platform.providerAccounts.routeFor(em, tenant.tenantId, 'sandbox')).toMatchObject([{ provider: 'sandbox' }]);
    expect(await t.platform.providerAccounts.routeFor(em, tenant.tenantId, 'live')).toEqual([]);
    expect(await t.platform.providerAccounts.routeFor(em, tenant.tenantId, 'live', 'sandbox')).toEqual([]);
  });
});

describe('CLI provider:add / provider:list', () => {
  it('provider:add --json prints exactly { accountId }; the account is stored for that tenant and mode, masked', async () => {
    const tenant = await newTenant();
    const config = stripeConfig('live');
    const r = await cli(['provider:add', '--app-name', tenant.appName, '--mode', 'live', '--provider', 'stripe', '--config-json', JSON.stringify(config), '--label', 'EU account', '--json']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.json).toEqual({ accountId: expect.stringMatching(/^pa_/) });
    expect(Object.keys(r.json)).toEqual(['accountId']);
    const rows = await accountRows(tenant.tenantId);
    expect(rows).toMatchObject([{ id: r.json.accountId, mode: 'live', provider: 'stripe', label: 'EU account', priority: 1 }]);
    for (const secret of secretsOf(config)) {
      expect(rows[0].credentials_sealed).not.toContain(secret);
      expect(r.out + r.err).not.toContain(secret);
    }
    const audit = await t.sql(`select actor_type from audit_log where target_id = ? and action = 'provider_account.create'`, [r.json.accountId]);
    expect(audit).toEqual([{ actor_type: 'cli' }]);

    // Without --json: one readable line, still without secrets.
    const adyen = adyenConfig();
    const text = await cli(['provider:add', '--app-name', tenant.appName, '--mode', 'sandbox', '--provider', 'adyen', '--config-json', JSON.stringify(adyen)]);
    expect(text.code, text.out + text.err).toBe(0);
    expect(text.out).toMatch(/^Added adyen account pa_\S+ \(sandbox\), position 1/);
    for (const secret of secretsOf(adyen)) expect(text.out + text.err).not.toContain(secret);
  });

  it('provider:add refuses bad credentials with a clear error and a non-zero exit code, storing nothing', async () => {
    const tenant = await newTenant();
    const bad = { ...stripeConfig(), secretKey: 'sk_test_short' };
    const r = await cli(['provider:add', '--app-name', tenant.appName, '--mode', 'sandbox', '--provider', 'stripe', '--config-json', JSON.stringify(bad), '--json']);
    expect(r.code).not.toBe(0);
    expect(r.json.error).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/secretKey/) });

    const text = await cli(['provider:add', '--app-name', tenant.appName, '--mode', 'sandbox', '--provider', 'stripe', '--config-json', JSON.stringify(bad)]);
    expect(text.code).not.toBe(0);
    expect(text.err).toMatch(/secretKey must be a Stripe secret key/);

    for (const args of [
      ['--mode', 'live', '--provider', 'stripe', '--config-json', JSON.stringify(stripeConfig('sandbox'))], // test keys in live mode
      ['--mode', 'sandbox', '--provider', 'stripe', '--config-json', '{not json'],
      ['--mode', 'sandbox', '--provider', 'bank', '--config-json', JSON.stringify(stripeConfig())],
      ['--mode', 'staging', '--provider', 'stripe', '--config-json', JSON.stringify(stripeConfig())],
      ['--mode', 'sandbox', '--provider', 'stripe'],
    ]) {
      const res = await cli(['provider:add', '--app-name', tenant.appName, ...args, '--json']);
      expect(res.code, args.join(' ')).not.toBe(0);
      expect(res.json.error.message, args.join(' ')).toEqual(expect.any(String));
    }
    const unknown = await cli(['provider:add', '--app-name', 'no-such-shop', '--mode', 'sandbox', '--provider', 'stripe', '--config-json', JSON.stringify(stripeConfig()), '--json']);
    expect(unknown.code).not.toBe(0);
    expect(await accountRows(tenant.tenantId)).toEqual([]);
  });

  it('provider:list shows masked credentials only, in routing order, for one mode or both', async () => {
    const tenant = await newTenant();
    const live1 = stripeConfig('live');
    const live2 = stripeConfig('live');
    const sandbox = adyenConfig();
    const ids: string[] = [];
    for (const [mode, provider, config] of [
      ['live', 'stripe', live1],
      ['live', 'stripe', live2],
      ['sandbox', 'adyen', sandbox],
    ] as const) {
      const r = await cli(['provider:add', '--app-name', tenant.appName, '--mode', mode, '--provider', provider, '--config-json', JSON.stringify(config), '--json']);
      expect(r.code, r.out + r.err).toBe(0);
      ids.push(r.json.accountId);
    }

    const all = await cli(['provider:list', '--app-name', tenant.appName, '--json']);
    expect(all.code, all.out + all.err).toBe(0);
    expect(all.json.accounts.map((a: any) => [a.mode, a.position, a.id])).toEqual([
      ['sandbox', 1, ids[2]],
      ['live', 1, ids[0]],
      ['live', 2, ids[1]],
    ]);
    expect(all.json.accounts[1].credentials).toEqual({ secretKey: `sk_live_…${live1.secretKey.slice(-4)}`, publishableKey: live1.publishableKey, webhookSecret: `whsec_…${live1.webhookSecret.slice(-4)}` });
    expect(all.json.accounts[0].credentials).toMatchObject({ apiKey: `…${sandbox.apiKey.slice(-4)}`, hmacKey: `…${sandbox.hmacKey.slice(-4)}` });

    const liveOnly = await cli(['provider:list', '--app-name', tenant.appName, '--mode', 'live']);
    expect(liveOnly.code).toBe(0);
    const lines = liveOnly.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(ids[0]);
    expect(lines[0]).toContain(`secretKey=sk_live_…${live1.secretKey.slice(-4)}`);
    expect(lines[1]).toContain(ids[1]);

    for (const out of [all.out, liveOnly.out, all.err, liveOnly.err]) {
      for (const secret of [...secretsOf(live1), ...secretsOf(live2), ...secretsOf(sandbox)]) expect(out).not.toContain(secret);
    }

    const empty = await cli(['provider:list', '--app-name', (await newTenant()).appName]);
    expect(empty.code).toBe(0);
    expect(empty.out).toMatch(/No provider accounts/);
  });
});

describe('API answers never contain an account secret', () => {
  it('checkout, payment, attempts and errors show at most the publishable key', async () => {
    const tenant = await newTenant();
    const config = stripeConfig();
    const r = await cli(['provider:add', '--app-name', tenant.appName, '--mode', 'sandbox', '--provider', 'stripe', '--config-json', JSON.stringify(config), '--json']);
    expect(r.code, r.out + r.err).toBe(0);

    const created = await t.request('POST', '/v1/payments', { token: tenant.sandboxToken, idempotencyKey: `pa-${random()}`, body: { ...validPayment, provider: 'stripe' } });
    expect(created.status, created.text).toBe(201);
    const prepared = await t.request('POST', '/trpc/checkout.prepare', { body: { token: created.body.checkoutToken } });
    expect(prepared.status, prepared.text).toBe(200);
    expect(prepared.body.result.data.client).toMatchObject({ type: 'stripe_payment_element', publishableKey: config.publishableKey });
    // The call reached "Stripe" with the sealed-then-opened secret key.
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${config.secretKey}`);

    fake.fail('POST /v1/payment_intents/:id/confirm', { status: 401, times: 1 });
    const failed = await t.request('POST', '/trpc/checkout.confirm', { body: { token: created.body.checkoutToken, confirmationToken: 'ctoken_fake_succeeds' } });

    const answers = [
      created.text,
      prepared.text,
      failed.text,
      (await t.request('GET', `/trpc/checkout.session?input=${encodeURIComponent(JSON.stringify({ token: created.body.checkoutToken }))}`)).text,
      (await t.request('GET', `/v1/payments/${created.body.id}`, { token: tenant.sandboxToken })).text,
      (await t.request('GET', `/v1/payments/${created.body.id}/attempts`, { token: tenant.sandboxToken })).text,
      (await t.request('GET', '/v1/events', { token: tenant.sandboxToken })).text,
      (await t.request('POST', '/webhooks/stripe', { rawBody: '{}', headers: { 'stripe-signature': 't=1,v1=00' } })).text,
    ];
    for (const text of answers) for (const secret of secretsOf(config)) expect(text).not.toContain(secret);
  });
});
