import { TEST_CONTEXT, type TestPlatform } from './harness.js';

/** Provider accounts added straight through the service (like the CLI), for tests that need a tenant routed to Stripe or Adyen. */

export type ProviderAccountInput = Parameters<TestPlatform['platform']['providerAccounts']['add']>[1];

/** Adds the accounts in order, in one transaction; their views, in the same order. */
export function addProviderAccounts(t: TestPlatform, ...inputs: ProviderAccountInput[]) {
  return t.platform.orm.em.fork().transactional(async (em) => {
    const added = [];
    for (const input of inputs) added.push(await t.platform.providerAccounts.add(em, input, TEST_CONTEXT));
    return added;
  });
}

/** Ten random lowercase letters and digits, to make credentials unique per test. */
export const randomKeyPart = () => Math.random().toString(36).slice(2, 12).replace(/[^a-z0-9]/g, 'x').padEnd(10, 'x');
