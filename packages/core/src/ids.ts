/** Prefixes of our opaque ids (spec/rest-api.md "Conventions"). */
export const ID_PREFIXES = {
  payment: 'pay',
  refund: 're',
  event: 'evt',
  webhookEndpoint: 'we',
  tenant: 'ten',
  auditEntry: 'aud',
  request: 'req',
  user: 'usr',
  attempt: 'att',
  webhookDelivery: 'whd',
  webhookAttempt: 'wha',
  secret: 'sec',
  providerAccount: 'pa',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
