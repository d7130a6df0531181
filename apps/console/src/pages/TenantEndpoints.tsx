import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import type { Outputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Section } from '../components/Section';
import { Empty } from '../components/States';
import { Time } from '../components/Time';
import { href } from '../router';

type Tenant = Outputs['tenants']['get'];

export function TenantEndpoints({ tenant }: { tenant: Tenant }) {
  const endpoints = tenant.webhookEndpoints;
  return (
    <Section title="Webhook endpoints" description="Registered by the tenant through the REST API.">
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
                      </Text>
                    ) : null}
                    {e.disabledReason ? (
                      <Text size="xs" c="dimmed">
                        {e.disabledReason}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Anchor href={href('/webhooks', { tenantId: tenant.id, endpointId: e.id })} size="sm">
                      View deliveries
                    </Anchor>
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
