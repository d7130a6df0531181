import { Anchor, Group, NativeSelect, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { api, type Inputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Money } from '../components/Money';
import { Empty, ErrorState, Loading } from '../components/States';
import { TenantSelect, useTenantName } from '../components/TenantSelect';
import { Time } from '../components/Time';
import { formatAmount, percent } from '../format';
import { PageTitle } from '../Layout';
import { href } from '../router';
import { currenciesOf, toDayPoints, type DayPoint, type Summary } from './dashboard-data';

const DashboardCharts = lazy(() => import('./DashboardCharts'));

export function DashboardPage() {
  const [tenantId, setTenantId] = useState('');
  const [mode, setMode] = useState('');
  const [days, setDays] = useState('14');
  const input: Inputs['dashboard']['summary'] = {
    days: Number(days),
    ...(tenantId ? { tenantId } : {}),
    ...(mode === 'sandbox' || mode === 'live' ? { mode: mode as 'sandbox' | 'live' } : {}),
  };
  const summary = useQuery({
    queryKey: ['console', 'dashboard', input],
    queryFn: () => api.console.dashboard.summary.query(input),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  return (
    <>
      <PageTitle>Dashboard</PageTitle>
      <Paper withBorder p="md" mb="md" component="form" aria-label="Dashboard filters" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TenantSelect value={tenantId} onChange={setTenantId} />
          <NativeSelect label="Mode" data={[{ value: '', label: 'Both modes' }, 'sandbox', 'live']} value={mode} onChange={(e) => setMode(e.currentTarget.value)} />
          <NativeSelect
            label="Period"
            data={[
              { value: '7', label: 'Last 7 days' },
              { value: '14', label: 'Last 14 days' },
              { value: '30', label: 'Last 30 days' },
              { value: '90', label: 'Last 90 days' },
            ]}
            value={days}
            onChange={(e) => setDays(e.currentTarget.value)}
          />
        </SimpleGrid>
      </Paper>
      {summary.isPending ? <Loading label="Loading the dashboard…" /> : null}
      {summary.isError ? <ErrorState error={summary.error} onRetry={() => void summary.refetch()} /> : null}
      {summary.data ? <Overview summary={summary.data} /> : null}
    </>
  );
}

function Overview({ summary }: { summary: Summary }) {
  const currencies = useMemo(() => currenciesOf(summary.series), [summary.series]);
  const [picked, setPicked] = useState<string | null>(null);
  const currency = picked && currencies.includes(picked) ? picked : (currencies[0] ?? null);
  const points = useMemo(() => toDayPoints(summary, currency), [summary, currency]);
  const totals = summary.series.reduce((t, r) => ({ count: t.count + r.count, succeeded: t.succeeded + r.succeededCount }), { count: 0, succeeded: 0 });

  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
        <Stat label="Payments created" value={String(totals.count)} />
        <Stat label="Success rate" value={totals.count ? percent(totals.succeeded / totals.count) : '—'} />
        <Stat
          label="Needs attention"
          value={`${summary.failingEndpoints.length} endpoint${summary.failingEndpoints.length === 1 ? '' : 's'}, ${summary.stuckProcessing.length} stuck`}
        />
      </SimpleGrid>
      {currencies.length > 1 ? (
        <Group mb="sm">
          <NativeSelect label="Volume currency" data={currencies} value={currency ?? ''} onChange={(e) => setPicked(e.currentTarget.value)} />
        </Group>
      ) : null}
      {summary.series.length === 0 ? (
        <Empty title="No payments in this period">Volume and success rate appear here once payments are created.</Empty>
      ) : (
        <>
          <Suspense fallback={<Loading label="Loading charts…" />}>
            <DashboardCharts points={points} currency={currency} />
          </Suspense>
          <DataTable points={points} currency={currency} />
        </>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }} mt="lg" spacing="md">
        <FailingEndpoints summary={summary} />
        <StuckPayments summary={summary} />
      </SimpleGrid>
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
    </Paper>
  );
}

/** The charts' numbers for keyboard and screen-reader users (and for exact values). */
function DataTable({ points, currency }: { points: DayPoint[]; currency: string | null }) {
  return (
    <details className="chart-data">
      <summary>Show the chart data as a table</summary>
      <div className="table-scroll">
        <Table fz="sm" aria-label="Daily payments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Day (UTC)</Table.Th>
              <Table.Th ta="right">Sandbox payments</Table.Th>
              <Table.Th ta="right">Sandbox success</Table.Th>
              <Table.Th ta="right">Sandbox volume</Table.Th>
              <Table.Th ta="right">Live payments</Table.Th>
              <Table.Th ta="right">Live success</Table.Th>
              <Table.Th ta="right">Live volume</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {points.map((p) => (
              <Table.Tr key={p.day}>
                <Table.Td>{p.day}</Table.Td>
                <Table.Td ta="right">{p.sandboxCount}</Table.Td>
                <Table.Td ta="right">{p.sandboxRate === null ? '—' : `${p.sandboxRate}%`}</Table.Td>
                <Table.Td ta="right">{currency ? formatAmount(p.sandbox, currency) : '—'}</Table.Td>
                <Table.Td ta="right">{p.liveCount}</Table.Td>
                <Table.Td ta="right">{p.liveRate === null ? '—' : `${p.liveRate}%`}</Table.Td>
                <Table.Td ta="right">{currency ? formatAmount(p.live, currency) : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </details>
  );
}

function FailingEndpoints({ summary }: { summary: Summary }) {
  const tenantName = useTenantName();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="failing-title">
      <Title order={2} size="h4" id="failing-title" mb="sm">
        Failing webhook endpoints
      </Title>
      {summary.failingEndpoints.length === 0 ? (
        <Text size="sm" c="dimmed">
          All endpoints are delivering.
        </Text>
      ) : (
        <div className="table-scroll">
          <Table fz="sm" aria-label="Failing webhook endpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th ta="right">Failed deliveries</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {summary.failingEndpoints.map((e) => (
                <Table.Tr key={e.endpointId}>
                  <Table.Td className="mono" style={{ wordBreak: 'break-all' }}>
                    <Anchor href={href('/webhooks', { tenantId: e.tenantId, status: 'failed' })}>{e.url}</Anchor>
                  </Table.Td>
                  <Table.Td>
                    {tenantName(e.tenantId)} <ModeBadge mode={e.mode} />
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={e.status} />
                    {e.failingSince ? (
                      <Text size="xs">
                        failing since <Time value={e.failingSince} />
                        {e.lastFailureAt ? (
                          <>
                            , last failure <Time value={e.lastFailureAt} />
                          </>
                        ) : null}
                      </Text>
                    ) : null}
                    {e.disabledReason ? <Text size="xs">{e.disabledReason}</Text> : null}
                  </Table.Td>
                  <Table.Td ta="right">{e.failedDeliveries}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Paper>
  );
}

function StuckPayments({ summary }: { summary: Summary }) {
  const tenantName = useTenantName();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="stuck-title">
      <Title order={2} size="h4" id="stuck-title" mb="sm">
        Payments stuck in processing
      </Title>
      {summary.stuckProcessing.length === 0 ? (
        <Text size="sm" c="dimmed">
          No payment has been processing for more than 15 minutes.
        </Text>
      ) : (
        <div className="table-scroll">
          <Table fz="sm" aria-label="Payments stuck in processing">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Payment</Table.Th>
                <Table.Th>Tenant</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th>Processing since</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {summary.stuckProcessing.map((p) => (
                <Table.Tr key={p.paymentId}>
                  <Table.Td className="mono">
                    <Anchor href={`#/payments/${encodeURIComponent(p.paymentId)}`}>{p.paymentId}</Anchor>
                  </Table.Td>
                  <Table.Td>
                    {tenantName(p.tenantId)} <ModeBadge mode={p.mode} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money amount={p.amount} currency={p.currency} />
                  </Table.Td>
                  <Table.Td>
                    <Time value={p.since} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Paper>
  );
}
