import type { Mode } from '@platform/core';

/**
 * Tenant isolation lives here and only here: every tenant-owned entity carries this filter,
 * enabled by default. A query on such an entity without the filter's parameters fails
 * ("No arguments provided for filter"), so a handler cannot forget the scope; platform code
 * that must see across tenants (CLI, console, worker) opts out explicitly with `filters: false`.
 */
export const TENANT_FILTER = 'tenant';

export interface TenantScope {
  tenantId: string;
  mode: Mode;
}

export const tenantFilter = {
  [TENANT_FILTER]: {
    name: TENANT_FILTER,
    cond: (scope: TenantScope) => ({ tenantId: scope.tenantId, mode: scope.mode }),
    default: true,
  },
};
