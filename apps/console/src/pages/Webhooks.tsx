import { Alert, Badge, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, failureMessage, type Inputs, type Outputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, ErrorState, Loading } from '../components/States';
import { TenantSelect, useTenantName } from '../components/TenantSelect';
import { Time } from '../components/Time';
import { PageTitle } from '../Layout';
import { href, navigate } from '../router';
import { canOperate, isAdmin, useMe } from '../session';

type Delivery = Outputs['webhooks']['deliveries']['data'][number];
type DeliveriesInput = Inputs['webhooks']['deliveries'];
const STATUSES = ['failed', 'pending', 'succeeded'] as const;

export function WebhooksPage({ query }: { query: URLSearchParams }) {
  const tenantId = query.get('tenantId') ?? '';
  const status = query.get('status') ?? '';
  return <Deliveries key={`${tenantId}|${status}`} tenantId={tenantId} status={status} />;
}

function Deliveries({ tenantId, status }: { tenantId: string; status: string }) {
  const me = useMe();
  const client = useQueryClient();
  const pages = useCursorPages();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const input: DeliveriesInput = {
    limit: 25,
    ...(tenantId ? { tenantId } : {}),
    ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
    ...(pages.cursor ? { cursor: pages.cursor } : {}),
  };
  const deliveries = useQuery({
    queryKey: ['console', 'webhooks', 'deliveries', input],
    queryFn: () => api.console.webhooks.deliveries.query(input),
    placeholderData: keepPreviousData,
    // Pending deliveries (a replay, a retry) settle by themselves: follow them while on screen.
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === 'pending') ? 1_500 : false),
  });
  const afterChange = async (text: string) => {
    setNotice({ ok: true, text });
    await client.invalidateQueries({ queryKey: ['console', 'webhooks'] });
  };
  const onError = (error: unknown) => setNotice({ ok: false, text: failureMessage(error) });
  const replay = useMutation({
    mutationFn: (d: Delivery) => api.console.webhooks.replay.mutate({ deliveryId: d.id }),
    onSuccess: (_r, d) => afterChange(`Replaying ${d.eventType ?? d.eventId} to ${d.endpointUrl ?? d.endpointId}.`),
    onError,
  });
  const sendTest = useMutation({
    mutationFn: (endpoint: { id: string; url: string }) => api.console.webhooks.sendTest.mutate({ endpointId: endpoint.id }),
    onSuccess: (_r, e) => afterChange(`Test event sent to ${e.url}.`),
    onError,
  });
  const enable = useMutation({
    mutationFn: (endpoint: { id: string; url: string }) => api.console.webhooks.updateEndpoint.mutate({ endpointId: endpoint.id, status: 'enabled' }),
    onSuccess: async (_r, e) => {
      await afterChange(`${e.url} is enabled again: new events are delivered to it.`);
      await client.invalidateQueries({ queryKey: ['console', 'tenants', 'get'] });
    },
    onError,
  });
  const operator = canOperate(me.role);
  // Enabling an endpoint is the admins' (the server refuses support and viewers); replays and test events are support's too.
  const admin = isAdmin(me.role);

  return (
    <>
      <PageTitle>Webhooks</PageTitle>
      <Paper withBorder p="md" mb="md" aria-label="Delivery filters" component="form" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TenantSelect value={tenantId} onChange={(v) => navigate(href('/webhooks', { tenantId: v, status }))} />
          <NativeSelect
            label="Status"
            data={[{ value: '', label: 'Any (failed first)' }, ...STATUSES]}
            value={status}
            onChange={(e) => navigate(href('/webhooks', { tenantId, status: e.currentTarget.value }))}
          />
        </SimpleGrid>
      </Paper>
      {notice ? (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'} mb="md" withCloseButton onClose={() => setNotice(null)}>
          {notice.text}
        </Alert>
      ) : null}
      <Endpoints
        tenantId={tenantId}
        deliveries={deliveries.data?.data ?? []}
        operator={operator}
        admin={admin}
        sending={sendTest.isPending}
        onSendTest={(e) => sendTest.mutate(e)}
        enabling={enable.isPending ? (enable.variables?.id ?? null) : null}
        onEnable={(e) => enable.mutate(e)}
      />
      <Title order={2} size="h4" mt="lg" mb="sm">
        Deliveries
      </Title>
      {deliveries.isPending ? <Loading label="Loading deliveries…" /> : null}
      {deliveries.isError ? <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} /> : null}
      {deliveries.data ? (
        deliveries.data.data.length === 0 ? (
          <Empty title="No webhook deliveries">{tenantId || status ? 'Nothing matches these filters.' : 'Deliveries appear when tenants register endpoints and events happen.'}</Empty>
        ) : (
          <>
            <Stack gap="sm" aria-busy={deliveries.isFetching}>
              {deliveries.data.data.map((d) => (
                <DeliveryCard key={d.id} delivery={d} operator={operator} replaying={replay.isPending && replay.variables?.id === d.id} onReplay={() => replay.mutate(d)} />
              ))}
            </Stack>
            <Pager pages={pages} nextCursor={deliveries.data.nextCursor} label="Deliveries" />
          </>
        )
      ) : null}
    </>
  );
}

function DeliveryCard({ delivery: d, operator, replaying, onReplay }: { delivery: Delivery; operator: boolean; replaying: boolean; onReplay: () => void }) {
  const tenantName = useTenantName();
  return (
    <Paper withBorder p="sm" data-delivery-status={d.status} data-delivery-id={d.id} component="article" aria-label={`Delivery ${d.id}`}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={2}>
          <Group gap="xs">
            <StatusBadge status={d.status} />
            <Text fw={600} size="sm">
              {d.eventType ?? 'event'}
            </Text>
            <Text size="xs" className="mono">
              {d.eventId}
            </Text>
          </Group>
          <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
            → {d.endpointUrl ?? d.endpointId}
          </Text>
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              {tenantName(d.tenantId)}
            </Text>
            <ModeBadge mode={d.mode} />
            <Text size="xs" c="dimmed">
              created <Time value={d.createdAt} />
            </Text>
            {d.nextAttemptAt ? (
              <Text size="xs" c="dimmed">
                next try <Time value={d.nextAttemptAt} />
              </Text>
            ) : null}
          </Group>
        </Stack>
        {operator ? (
          <Button size="xs" variant="light" loading={replaying} onClick={onReplay} aria-label="Replay" title={`Send ${d.eventId} to this endpoint again`}>
            Replay
          </Button>
        ) : null}
      </Group>
      {d.attempts.length > 0 ? (
        <Table mt="xs" fz="xs" withRowBorders={false} aria-label={`Attempts of ${d.id}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>Status code</Table.Th>
              <Table.Th>Latency</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.attempts.map((a, i) => (
              <Table.Tr key={a.id}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>
                  <Time value={a.at} />
                </Table.Td>
                <Table.Td>
                  {a.statusCode === null ? (
                    'no response'
                  ) : (
                    <Badge size="xs" color={a.statusCode >= 200 && a.statusCode < 300 ? 'green' : 'red'} variant="light">
                      {a.statusCode}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{a.latencyMs} ms</Table.Td>
                <Table.Td>{a.error ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="xs" c="dimmed" mt="xs">
          Not attempted yet.
        </Text>
      )}
    </Paper>
  );
}

/**
 * Endpoints to send a test event to: all of the selected tenant's, or (no tenant chosen) those
 * of the deliveries on this page.
 */
function Endpoints({
  tenantId,
  deliveries,
  operator,
  admin,
  sending,
  onSendTest,
  enabling,
  onEnable,
}: {
  tenantId: string;
  deliveries: Delivery[];
  /** Send test events (support, admin). */
  operator: boolean;
  /** Enable a disabled endpoint (admin). */
  admin: boolean;
  sending: boolean;
  onSendTest: (endpoint: { id: string; url: string }) => void;
  /** The id of the endpoint being enabled, if any. */
  enabling: string | null;
  onEnable: (endpoint: { id: string; url: string }) => void;
}) {
  const tenant = useQuery({
    queryKey: ['console', 'tenants', 'get', tenantId],
    queryFn: () => api.console.tenants.get.query({ tenantId }),
    enabled: Boolean(tenantId),
  });
  const tenantName = useTenantName();
  const endpoints = useMemo(() => {
    if (tenantId) return (tenant.data?.webhookEndpoints ?? []).map((e) => ({ id: e.id, url: e.url, tenantId: e.tenantId, mode: e.mode, status: e.status }));
    const seen = new Map<string, { id: string; url: string; tenantId: string; mode: string; status: string | null }>();
    for (const d of deliveries) if (!seen.has(d.endpointId)) seen.set(d.endpointId, { id: d.endpointId, url: d.endpointUrl ?? d.endpointId, tenantId: d.tenantId, mode: d.mode, status: null });
    return [...seen.values()];
  }, [tenantId, tenant.data, deliveries]);
  if (endpoints.length === 0) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="endpoints-title">
      <Title order={2} size="h4" id="endpoints-title">
        Endpoints
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {tenantId ? 'All endpoints of this tenant.' : 'Endpoints of the deliveries below; choose a tenant to see all of its endpoints.'}
      </Text>
      <Table aria-label="Endpoints">
        <Table.Tbody>
          {endpoints.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td className="mono" style={{ wordBreak: 'break-all' }}>
                {e.url}
              </Table.Td>
              <Table.Td>{tenantName(e.tenantId)}</Table.Td>
              <Table.Td>
                <ModeBadge mode={e.mode} /> {e.status ? <StatusBadge status={e.status} /> : null}
              </Table.Td>
              <Table.Td ta="right">
                {operator ? (
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {admin && e.status === 'disabled' ? (
                      <Button
                        size="xs"
                        variant="light"
                        loading={enabling === e.id}
                        onClick={() => onEnable(e)}
                        aria-label={`Enable ${e.url}`}
                        title="Deliver new events to this endpoint again (restarts the 5-day failure clock)"
                      >
                        Enable
                      </Button>
                    ) : null}
                    <Button size="xs" variant="default" loading={sending} onClick={() => onSendTest(e)} disabled={e.status === 'disabled'}>
                      Send test event
                    </Button>
                  </Group>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
