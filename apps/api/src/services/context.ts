import type { Mode } from '@platform/core';

/** Who did something, and from where: every mutation carries one into its audit entry. */
export interface Actor {
  type: 'tenant' | 'cli' | 'user' | 'system' | 'provider' | 'customer';
  id: string;
}

export interface MutationContext {
  actor: Actor;
  requestId: string | null;
  ip: string | null;
}

export interface Scope {
  tenantId: string;
  mode: Mode;
}

/** A test seam: called at named points inside transactions so tests can inject a failure before commit. */
export type FaultHook = (point: string) => void | Promise<void>;
