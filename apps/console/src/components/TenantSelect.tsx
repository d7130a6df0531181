import { NativeSelect } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';

/** Every tenant for pickers and name lookups (the first 200; the server's maximum page). */
export function useAllTenants() {
  return useQuery({ queryKey: ['console', 'tenants', 'list', 'all'], queryFn: () => api.console.tenants.list.query({ limit: 200 }), staleTime: 30_000 });
}

export function useTenantName(): (tenantId: string | null | undefined) => string {
  const tenants = useAllTenants();
  return (id) => (id ? (tenants.data?.data.find((t) => t.id === id)?.appName ?? id) : 'platform');
}

/** A labelled native <select> of all tenants ("All tenants" = no filter). */
export function TenantSelect({ value, onChange, label = 'Tenant', allLabel = 'All tenants' }: { value: string; onChange: (tenantId: string) => void; label?: string; allLabel?: string }) {
  const tenants = useAllTenants();
  const options = [{ value: '', label: tenants.isPending ? 'Loading tenants…' : allLabel }, ...(tenants.data?.data ?? []).map((t) => ({ value: t.id, label: `${t.displayName} (${t.appName})` }))];
  // Keep a deep-linked tenant id selectable before (or without) the list.
  if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
  return <NativeSelect label={label} data={options} value={value} onChange={(e) => onChange(e.currentTarget.value)} />;
}
