import { Anchor, Button, Group, NativeSelect, Paper, SimpleGrid, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { CURRENCY_CODES, isCurrencyCode } from '@platform/core';
import { useMemo, useState, type FormEvent } from 'react';
import { api, type Inputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Money } from '../components/Money';
import { Empty, ErrorState, Loading } from '../components/States';
import { TenantSelect, useTenantName } from '../components/TenantSelect';
import { Pager, useCursorPages } from '../components/Pager';
import { Time } from '../components/Time';
import { exponentOf, localDayBoundary, parseMajorAmount, toMajorString } from '../format';
import { PageTitle } from '../Layout';
import { href, navigate } from '../router';

const PAGE_SIZE = 25;
const STATUSES = ['requires_payment_method', 'requires_action', 'processing', 'succeeded', 'canceled'] as const;
/** Any currency first, then every supported ISO 4217 code, A–Z. */
const CURRENCY_OPTIONS = [{ value: '', label: 'Any currency' }, ...[...CURRENCY_CODES].sort()];
const FILTER_KEYS = ['tenantId', 'mode', 'status', 'from', 'to', 'currency', 'amountMin', 'amountMax', 'email', 'id'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
type Filters = Record<FilterKey, string>;

function filtersFrom(query: URLSearchParams): Filters {
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(k) ?? ''])) as Filters;
  // Currency codes are upper case (links may say `eur`).
  return { ...filters, currency: filters.currency.trim().toUpperCase() };
}

type ListInput = Inputs['payments']['list'];

/**
 * URL filters (what a person typed) → the procedure's input; amounts in major units → minor units,
 * with the decimals of the chosen currency (2 with any currency, compared across currencies).
 */
function toInput(f: Filters, cursor: string | null): { input: ListInput; error: string | null } {
  const input: Record<string, unknown> = { limit: PAGE_SIZE };
  let error: string | null = null;
  if (f.tenantId) input['tenantId'] = f.tenantId;
  if (f.mode) input['mode'] = f.mode;
  if (f.status) input['status'] = f.status;
  if (f.email) input['email'] = f.email.trim();
  if (f.id) input['id'] = f.id.trim();
  const from = f.from ? localDayBoundary(f.from, false) : undefined;
  const to = f.to ? localDayBoundary(f.to, true) : undefined;
  if (from) input['from'] = from;
  if (to) input['to'] = to;
  const currency = isCurrencyCode(f.currency) ? f.currency : null;
  if (currency) input['currency'] = currency;
  else if (f.currency) error = `Currency: ${f.currency} is not a supported ISO 4217 code`;
  for (const key of ['amountMin', 'amountMax'] as const) {
    if (!f[key]) continue;
    const parsed = parseMajorAmount(f[key], currency ?? 'EUR');
    if (parsed.ok) input[key] = parsed.minor;
    else error = `${key === 'amountMin' ? 'Minimum' : 'Maximum'} amount: ${currency ? parsed.message : parsed.message.replace(/^EUR has/, 'without a currency, amounts have')}`;
  }
  if (cursor) input['cursor'] = cursor;
  return { input: input as ListInput, error };
}

/** "10.00" EUR, "10" JPY, "10.000" BHD: whole units with the currency's decimals. */
function amountPlaceholder(currency: string, whole: number): string {
  return toMajorString(whole * 10 ** exponentOf(currency), currency);
}

export function PaymentsPage({ query }: { query: URLSearchParams }) {
  const applied = useMemo(() => filtersFrom(query), [query]);
  // New filters (a new URL) start over: fresh form state and the first page.
  return <PaymentsList key={JSON.stringify(applied)} applied={applied} />;
}

function PaymentsList({ applied }: { applied: Filters }) {
  const [draft, setDraft] = useState<Filters>(applied);
  const pages = useCursorPages();
  const { input, error: inputError } = toInput(applied, pages.cursor);
  const payments = useQuery({
    queryKey: ['console', 'payments', 'list', input],
    queryFn: () => api.console.payments.list.query(input),
    enabled: !inputError,
    placeholderData: keepPreviousData,
  });
  const tenantName = useTenantName();

  const set = (key: FilterKey) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(href('/payments', draft));
  };
  const anyFilter = FILTER_KEYS.some((k) => applied[k]);
  // A code from an old or hand-made link that is not in the list still shows (and is reported).
  const currencyOptions = draft.currency && !isCurrencyCode(draft.currency) ? [...CURRENCY_OPTIONS, draft.currency] : CURRENCY_OPTIONS;

  return (
    <>
      <PageTitle>Payments</PageTitle>
      <Paper withBorder p="md" mb="md" component="form" onSubmit={apply} aria-label="Payment filters">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <TenantSelect value={draft.tenantId} onChange={set('tenantId')} />
          <NativeSelect label="Mode" data={[{ value: '', label: 'Any mode' }, 'sandbox', 'live']} value={draft.mode} onChange={(e) => set('mode')(e.currentTarget.value)} />
          <NativeSelect
            label="Status"
            data={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))]}
            value={draft.status}
            onChange={(e) => set('status')(e.currentTarget.value)}
          />
          <TextInput label="Customer e-mail" type="search" placeholder="ann@example.com" value={draft.email} onChange={(e) => set('email')(e.currentTarget.value)} />
          <TextInput label="Created from" type="date" value={draft.from} onChange={(e) => set('from')(e.currentTarget.value)} />
          <TextInput label="Created to" type="date" value={draft.to} onChange={(e) => set('to')(e.currentTarget.value)} />
          <TextInput label="Payment ID" placeholder="pay_…" value={draft.id} onChange={(e) => set('id')(e.currentTarget.value)} />
          <NativeSelect label="Currency" data={currencyOptions} value={draft.currency} onChange={(e) => set('currency')(e.currentTarget.value)} />
          <TextInput label="Min amount" inputMode="decimal" placeholder={amountPlaceholder(draft.currency, 10)} value={draft.amountMin} onChange={(e) => set('amountMin')(e.currentTarget.value)} />
          <TextInput label="Max amount" inputMode="decimal" placeholder={amountPlaceholder(draft.currency, 100)} value={draft.amountMax} onChange={(e) => set('amountMax')(e.currentTarget.value)} />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          E-mail and payment ID match exactly. Min/max amount are in major units of the chosen currency (e.g. 12.50) and compare only payments in that currency. With any
          currency they are read with 2 decimals and compared in minor units across currencies.
        </Text>
        <Group mt="md" gap="sm">
          <Button type="submit">Apply filters</Button>
          {anyFilter ? (
            <Button variant="default" onClick={() => navigate('#/payments')}>
              Clear filters
            </Button>
          ) : null}
        </Group>
      </Paper>

      {inputError ? <ErrorState title="Check the filters" error={new Error(inputError)} /> : null}
      {!inputError && payments.isPending ? <Loading label="Loading payments…" /> : null}
      {payments.isError ? <ErrorState error={payments.error} onRetry={() => void payments.refetch()} /> : null}
      {payments.data && !inputError ? (
        payments.data.data.length === 0 ? (
          <Empty title={anyFilter ? 'No payments match these filters' : 'No payments yet'}>
            {anyFilter ? 'Change or clear the filters to see more.' : 'Payments appear here as soon as a tenant creates one.'}
          </Empty>
        ) : (
          <>
            <div className="table-scroll">
              <Table striped highlightOnHover aria-label="Payments" aria-busy={payments.isFetching}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Payment</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Tenant</Table.Th>
                    <Table.Th>Mode</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th ta="right">Amount</Table.Th>
                    <Table.Th>Customer</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {payments.data.data.map((p) => (
                    <Table.Tr key={p.id}>
                      <Table.Td>
                        <Anchor href={`#/payments/${encodeURIComponent(p.id)}`} className="mono">
                          {p.id}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Time value={p.createdAt} />
                      </Table.Td>
                      <Table.Td>{tenantName(p.tenantId)}</Table.Td>
                      <Table.Td>
                        <ModeBadge mode={p.mode} />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={p.status} />
                      </Table.Td>
                      <Table.Td ta="right">
                        <Money amount={p.amount} currency={p.currency} />
                        {p.amountRefunded > 0 ? (
                          <Text size="xs" c="dimmed">
                            refunded <Money amount={p.amountRefunded} currency={p.currency} />
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{p.customer?.email ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
            <Pager pages={pages} nextCursor={payments.data.nextCursor} label="Payments" />
          </>
        )
      ) : null}
    </>
  );
}
