import type { PaymentProvider, ProviderName } from '@platform/core';
import { createSandboxProvider, type SandboxProviderOptions } from './sandbox/adapter.js';
import { createStripeProvider, type StripeProviderOptions } from './stripe/adapter.js';
import { createAdyenProvider, type AdyenProviderOptions } from './adyen/adapter.js';

/** Everything adapters need from the host. Credentials are per account and travel with each call. */
export interface ProviderDependencies {
  sandbox: SandboxProviderOptions;
  stripe?: StripeProviderOptions;
  adyen?: AdyenProviderOptions;
}

/** The one place adapters are registered: adding a provider is one folder plus one line here. */
const FACTORIES: { [N in ProviderName]: (deps: ProviderDependencies) => PaymentProvider } = {
  sandbox: (deps) => createSandboxProvider(deps.sandbox),
  stripe: (deps) => createStripeProvider(deps.stripe ?? {}),
  adyen: (deps) => createAdyenProvider(deps.adyen ?? {}),
};

export type ProviderRegistry = ReadonlyMap<ProviderName, PaymentProvider>;

export function createProviderRegistry(deps: ProviderDependencies): ProviderRegistry {
  const registry = new Map<ProviderName, PaymentProvider>();
  for (const [name, factory] of Object.entries(FACTORIES) as [ProviderName, (d: ProviderDependencies) => PaymentProvider][]) {
    registry.set(name, factory(deps));
  }
  return registry;
}

export function isRegisteredProvider(registry: ProviderRegistry, name: string): name is ProviderName {
  return registry.has(name as ProviderName);
}
