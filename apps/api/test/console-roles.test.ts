import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/trpc/router.js';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { ConsoleClient, createEndpoint, createPayment, expectError, ok, signedIn } from './console-helpers.js';

/**
 * Roles are enforced by the server on every console procedure (ARCHITECTURE.md "Security
 * model"), and every console mutation is audited with the user as actor. Both tests walk the
 * router itself, so a procedure added later without a row here fails them.
 */
type Role = 'viewer' | 'support' | 'admin';
const MINIMUM_ROLE: Record<string, Role> = {
  'dashboard.summary': 'viewer',
  'users.list': 'admin',
  'users.create': 'admin',
  'users.updateRole': 'admin',
  'users.remove': 'admin',
  'tenants.list': 'viewer',
  'tenants.get': 'viewer',
  'tenants.create': 'admin',
  'tenants.update': 'admin',
  'tenants.rotateSecret': 'admin',
  'payments.list': 'viewer',
  'payments.get': 'viewer',
  'webhooks.deliveries': 'viewer',
  'webhooks.replay': 'support',
  'webhooks.sendTest': 'support',
  'webhooks.updateEndpoint': 'admin',
  'audit.list': 'viewer',
  'audit.verify': 'viewer',
  'refunds.create': 'support',
  'providerAccounts.list': 'viewer',
  'providerAccounts.add': 'admin',
  'providerAccounts.remove': 'admin',
  'providerAccounts.setRouting': 'admin',
};
const RANK: Record<Role, number> = { viewer: 0, support: 1, admin: 2 };
const PUBLIC = ['auth.login', 'auth.logout', 'auth.me'];

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' } }>)
  .filter(([path]) => path.startsWith('console.'))
  .map(([path, p]) => ({ path: path.slice('console.'.length), type: p._def.type }));

let t: TestPlatform;
const clients = {} as Record<Role, ConsoleClient>;
const users = {} as Record<Role, { id: string }>;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  for (const role of ['viewer', 'support', 'admin'] as const) {
    const s = await signedIn(t, role);
    clients[role] = s.client;
    users[role] = s.user;
  }
});
afterAll(() => t.close());

const call = (client: ConsoleClient, p: { path: string; type: string }, input: unknown = {}) =>
  p.type === 'mutation' ? client.mutate(p.path, input) : client.query(p.path, input);

describe('role enforcement', () => {
  it('the table covers every console procedure', () => {
    expect(procedures.map((p) => p.path).filter((p) => !PUBLIC.includes(p)).sort()).toEqual(Object.keys(MINIMUM_ROLE).sort());
  });

  it('without a session every non-auth procedure answers 401', async () => {
    const anonymous = new ConsoleClient(t.baseUrl);
    for (const p of procedures.filter((x) => !PUBLIC.includes(x.path))) {
      expectError(await call(anonymous, p), 401, 'authentication_required');
    }
  });

  it('below the minimum role → 403 FORBIDDEN before the input is even read; at or above it → authorized', async () => {
    for (const p of procedures.filter((x) => !PUBLIC.includes(x.path))) {
      for (const role of ['viewer', 'support', 'admin'] as const) {
        // `{}` is not a valid input for most procedures: authorized calls then fail validation (400), not authorization.
        const res = await call(clients[role], p);
        if (RANK[role] < RANK[MINIMUM_ROLE[p.path]!]) {
          const error = expectError(res, 403, 'permission_denied');
          expect(error.code, p.path).toBe(-32003); // tRPC FORBIDDEN
        } else {
          expect([200, 400, 404], `${role} → ${p.path}: ${JSON.stringify(res.body)}`).toContain(res.status);
        }
      }
    }
  });
});

describe('every console mutation is audited with the user as actor', () => {
  it('each mutation appends an entry whose actor is the signed-in user', async () => {
    const admin = clients.admin;
    const shop = await t.tenantWithTokens('roles-shop');
    const endpoint = await createEndpoint(t, shop.sandboxToken, 'https://hooks.example.com/roles');
    const payment = await createPayment(t, shop.sandboxToken, { amount: 2000, currency: 'EUR', returnUrl: 'https://shop.example.com/done' });
    await t.sql(`update payments set status = 'succeeded' where id = ?`, [payment.id]); // fixture: paid
    const [delivery] = await t.sql('select id from webhook_deliveries where endpoint_id = ?', [endpoint.id]);
    const tenant = ok(await admin.mutate('tenants.create', { appName: 'roles-new-shop' }));
    const account = { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config: { secretKey: 'sk_test_abcdefgh1234', publishableKey: 'pk_test_abcdefgh1234', webhookSecret: 'whsec_abcdefgh1234' } };
    const fresh = new ConsoleClient(t.baseUrl);
    const loginUser = await signedIn(t, 'viewer'); // for auth.login below: a known password
    const [lastSeq] = await t.sql('select max(seq) as seq from audit_log');
    let seq = lastSeq.seq as string;
    const exercised: string[] = [];
    const steps: [string, ConsoleClient, () => Promise<unknown>, string][] = [
      ['auth.login', fresh, async () => ok(await fresh.mutate('auth.login', { email: loginUser.user.email, password: loginUser.user.password })), loginUser.user.id],
      ['auth.logout', fresh, async () => ok(await fresh.mutate('auth.logout')), loginUser.user.id],
      ['users.create', admin, async () => ok(await admin.mutate('users.create', { email: 'audited-actor@example.com', role: 'viewer' })), users.admin.id],
      ['users.updateRole', admin, async () => ok(await admin.mutate('users.updateRole', { userId: users.viewer.id, role: 'viewer' })), users.admin.id],
      ['users.remove', admin, async () => ok(await admin.mutate('users.remove', { userId: loginUser.user.id })), users.admin.id],
      ['tenants.create', admin, async () => ok(await admin.mutate('tenants.create', { appName: 'roles-another-shop' })), users.admin.id],
      ['tenants.update', admin, async () => ok(await admin.mutate('tenants.update', { tenantId: tenant.tenantId, brandColor: '#000000' })), users.admin.id],
      ['tenants.rotateSecret', admin, async () => ok(await admin.mutate('tenants.rotateSecret', { tenantId: tenant.tenantId, mode: 'live' })), users.admin.id],
      ['webhooks.replay', clients.support, async () => ok(await clients.support.mutate('webhooks.replay', { deliveryId: delivery.id })), users.support.id],
      ['webhooks.sendTest', clients.support, async () => ok(await clients.support.mutate('webhooks.sendTest', { endpointId: endpoint.id })), users.support.id],
      ['webhooks.updateEndpoint', admin, async () => ok(await admin.mutate('webhooks.updateEndpoint', { endpointId: endpoint.id, status: 'disabled' })), users.admin.id],
      ['refunds.create', clients.support, async () => ok(await clients.support.mutate('refunds.create', { paymentId: payment.id, amount: 500, reason: 'duplicate', note: 'audit test' })), users.support.id],
      ['providerAccounts.add', admin, async () => ok(await admin.mutate('providerAccounts.add', account)), users.admin.id],
      [
        'providerAccounts.setRouting',
        admin,
        async () => {
          const ids = ok(await admin.query('providerAccounts.list', { tenantId: tenant.tenantId, mode: 'sandbox' })).data.map((a: any) => a.id);
          return ok(await admin.mutate('providerAccounts.setRouting', { tenantId: tenant.tenantId, mode: 'sandbox', accountIds: ids }));
        },
        users.admin.id,
      ],
      [
        'providerAccounts.remove',
        admin,
        async () => {
          const [a] = ok(await admin.query('providerAccounts.list', { tenantId: tenant.tenantId, mode: 'sandbox' })).data;
          return ok(await admin.mutate('providerAccounts.remove', { accountId: a.id }));
        },
        users.admin.id,
      ],
    ];
    for (const [path, , run, actorId] of steps) {
      await run();
      const entries = await t.sql('select * from audit_log where seq > ? order by seq', [seq]);
      expect(entries.length, `${path} wrote no audit entry`).toBeGreaterThan(0);
      for (const e of entries) expect({ path, actor: `${e.actor_type}:${e.actor_id}` }).toEqual({ path, actor: `user:${actorId}` });
      seq = entries[entries.length - 1].seq;
      exercised.push(path);
    }
    expect(exercised.sort()).toEqual(procedures.filter((p) => p.type === 'mutation').map((p) => p.path).sort());
  });
});
