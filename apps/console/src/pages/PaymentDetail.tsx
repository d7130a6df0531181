import { Alert, Anchor, Badge, Button, Code, Grid, Group, Paper, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Outputs } from '../api';
import { ModeBadge, StatusBadge } from '../components/Badges';
import { Money } from '../components/Money';
import { Empty, QueryView } from '../components/States';
import { useTenantName } from '../components/TenantSelect';
import { Time } from '../components/Time';
import { PageTitle } from '../Layout';
import { canOperate, useMe } from '../session';
import { RefundForm } from './RefundForm';

type Detail = Outputs['payments']['get'];
type TimelineItem = Detail['timeline'][number];

const KIND_COLORS: Record<TimelineItem['kind'], string> = {
  attempt: 'blue',
  event: 'gray',
  delivery: 'grape',
  audit: 'orange',
  refund: 'red',
};

const KIND_LABELS: Record<TimelineItem['kind'], string> = {
  attempt: 'provider attempt',
  event: 'event',
  delivery: 'webhook',
  audit: 'audit',
  refund: 'refund',
};

export function PaymentDetailPage({ paymentId }: { paymentId: string }) {
  const detail = useQuery({
    queryKey: ['console', 'payments', 'get', paymentId],
    queryFn: () => api.console.payments.get.query({ paymentId }),
    // A refund or delivery in flight changes the page by itself: keep it fresh while open.
    refetchInterval: (q) => (q.state.data?.refunds.some((r) => r.status === 'pending') ? 2_000 : false),
  });
  return (
    <>
      <Anchor href="#/payments" size="sm">
        ← Payments
      </Anchor>
      <QueryView query={detail} loadingLabel="Loading the payment…">
        {(data) => <PaymentDetail data={data} />}
      </QueryView>
    </>
  );
}

function PaymentDetail({ data }: { data: Detail }) {
  const { payment, timeline } = data;
  const me = useMe();
  const tenantName = useTenantName();
  const [refundOpen, refund] = useDisclosure(false);
  const [notice, setNotice] = useState<string | null>(null);
  const remaining = payment.amount - payment.amountRefunded;
  const refundable = payment.status === 'succeeded' && remaining > 0;

  return (
    <>
      <PageTitle
        actions={
          // Viewers never see the button (the server refuses them too).
          canOperate(me.role) && refundable ? (
            <Button color="red" variant="light" onClick={refund.open}>
              Refund
            </Button>
          ) : null
        }
      >
        <Money amount={payment.amount} currency={payment.currency} /> <StatusBadge status={payment.status} />
      </PageTitle>
      {notice ? (
        <Alert color="green" role="status" mb="md" withCloseButton onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      ) : null}
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Details
            </Title>
            <Table variant="vertical" layout="fixed" withRowBorders={false}>
              <Table.Tbody>
                <Row label="ID">
                  <Code>{payment.id}</Code>
                </Row>
                <Row label="Tenant">
                  <Anchor href={`#/tenants/${encodeURIComponent(payment.tenantId)}`}>{tenantName(payment.tenantId)}</Anchor>
                </Row>
                <Row label="Mode">
                  <ModeBadge mode={payment.mode} />
                </Row>
                <Row label="Amount">
                  <Money amount={payment.amount} currency={payment.currency} />
                </Row>
                <Row label="Refunded">
                  <Money amount={payment.amountRefunded} currency={payment.currency} />
                </Row>
                <Row label="Customer">
                  {payment.customer?.email ?? '—'}
                  {payment.customer?.name ? ` (${payment.customer.name})` : ''}
                </Row>
                <Row label="Description">{payment.description ?? '—'}</Row>
                <Row label="Provider">{payment.provider ?? '—'}</Row>
                <Row label="Created">
                  <Time value={payment.createdAt} />
                </Row>
                <Row label="Updated">
                  <Time value={payment.updatedAt} />
                </Row>
                {payment.lastError ? (
                  <Row label="Last error">
                    {payment.lastError.code}: {payment.lastError.message}
                  </Row>
                ) : null}
              </Table.Tbody>
            </Table>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Timeline
            </Title>
            <PaymentTimeline items={timeline} />
          </Paper>
        </Grid.Col>
      </Grid>
      {refundable ? (
        <RefundForm paymentId={payment.id} currency={payment.currency} remaining={remaining} opened={refundOpen} onClose={refund.close} onRefunded={setNotice} />
      ) : null}
    </>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={110}>{label}</Table.Th>
      <Table.Td style={{ wordBreak: 'break-word' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

/** Attempts, events, webhook deliveries, audit entries and refunds, in one list, oldest first. */
export function PaymentTimeline({ items }: { items: TimelineItem[] }) {
  if (items.length === 0) return <Empty title="Nothing has happened yet" />;
  // The server orders it (by time, causes before effects at the same instant).
  const sorted = items;
  return (
    <Timeline active={sorted.length - 1} bulletSize={14} lineWidth={2} role="list" aria-label="Payment timeline" className="payment-timeline">
      {sorted.map((item) => (
        <Timeline.Item
          key={item.id}
          color={KIND_COLORS[item.kind]}
          title={
            <Group gap="xs" wrap="wrap">
              <Badge size="xs" variant="light" color={KIND_COLORS[item.kind]} tt="none">
                {KIND_LABELS[item.kind]}
              </Badge>
              <Text size="sm" fw={600} component="span">
                {item.title}
              </Text>
            </Group>
          }
          data-kind={item.kind}
          role="listitem"
        >
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              <Time value={item.at} />
            </Text>
            {item.detail ? (
              <Text size="sm" className="timeline-detail">
                {item.detail}
              </Text>
            ) : null}
          </Stack>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
