import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, failureMessage, type Outputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Section } from '../components/Section';
import { Empty } from '../components/States';
import { Time } from '../components/Time';
import { href } from '../router';
import { isAdmin, useMe } from '../session';
import { tenantQueryKey } from './TenantSecrets';

type Tenant = Outputs['tenants']['get'];
type Endpoint = Tenant['webhookEndpoints'][number];

export function TenantEndpoints({ tenant }: { tenant: Tenant }) {
  const endpoints = tenant.webhookEndpoints;
  const me = useMe();
  // Enabling or disabling an endpoint is the admins' (the server refuses support and viewers).
  const admin = isAdmin(me.role);
  const client = useQueryClient();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  // Re-enabling clears the disabled reason and restarts the 5-day failure clock; new events are delivered again.
  const enable = useMutation({
    mutationFn: (e: Endpoint) => api.console.webhooks.updateEndpoint.mutate({ endpointId: e.id, status: 'enabled' }),
    onSuccess: async (_r, e) => {
      setNotice({ ok: true, text: `${e.url} is enabled again: new events are delivered to it.` });
      await client.invalidateQueries({ queryKey: tenantQueryKey(tenant.id) });
      await client.invalidateQueries({ queryKey: ['console', 'webhooks'] });
    },
    onError: (error) => setNotice({ ok: false, text: failureMessage(error) }),
  });
  return (
    <Section title="Webhook endpoints" description="Registered by the tenant through the REST API.">
      {notice ? (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'} mb="md" withCloseButton onClose={() => setNotice(null)}>
          {notice.text}
        </Alert>
      ) : null}
      {endpoints.length === 0 ? (
        <Empty title="No webhook endpoints">The tenant registers them with POST /v1/webhook-endpoints.</Empty>
      ) : (
        <div className="table-scroll">
          <Table aria-label="Webhook endpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>URL</Table.Th>
                <Table.Th>Mode</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Deliveries</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td className="mono" style={{ wordBreak: 'break-all' }}>
                    {e.url}
                  </Table.Td>
                  <Table.Td>
                    <ModeBadge mode={e.mode} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {e.events.map((ev) => (
                        <Badge key={ev} size="xs" variant="outline" tt="none">
                          {ev}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={e.status} />
                    {e.failingSince ? (
                      <Text size="xs" c="red">
                        failing since <Time value={e.failingSince} />
                        {e.lastFailureAt ? (
                          <>
                            , last failure <Time value={e.lastFailureAt} />
                          </>
                        ) : null}
                      </Text>
                    ) : null}
                    {e.disabledReason ? (
                      <Text size="xs" c="dimmed">
                        {e.disabledReason}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={4} align="flex-start">
                      <Anchor href={href('/webhooks', { tenantId: tenant.id, endpointId: e.id })} size="sm">
                        View deliveries
                      </Anchor>
                      {admin && e.status === 'disabled' ? (
                        <Button
                          size="xs"
                          variant="light"
                          loading={enable.isPending && enable.variables?.id === e.id}
                          onClick={() => enable.mutate(e)}
                          aria-label={`Enable ${e.url}`}
                          title="Deliver new events to this endpoint again (restarts the 5-day failure clock)"
                        >
                          Enable
                        </Button>
                      ) : null}
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Section>
  );
}
