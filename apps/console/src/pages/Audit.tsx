import { Alert, Anchor, Button, Code, Group, Paper, SimpleGrid, Spoiler, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { api, failureMessage, type Inputs } from '../api';
import { ModeBadge } from '../components/Badges';
import { Empty, ErrorState, Loading } from '../components/States';
import { TenantSelect, useTenantName } from '../components/TenantSelect';
import { Pager, useCursorPages } from '../components/Pager';
import { Time } from '../components/Time';
import { localDayBoundary } from '../format';
import { PageTitle } from '../Layout';
import { href, navigate } from '../router';

const PAGE_SIZE = 50;
const FILTER_KEYS = ['tenantId', 'actor', 'action', 'from', 'to'] as const;
type Filters = Record<(typeof FILTER_KEYS)[number], string>;
type ListInput = Inputs['audit']['list'];

export function AuditPage({ query }: { query: URLSearchParams }) {
  const applied = useMemo(() => Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(k) ?? ''])) as Filters, [query]);
  return <AuditList key={JSON.stringify(applied)} applied={applied} />;
}

function toInput(f: Filters, cursor: string | null): ListInput {
  const input: Record<string, unknown> = { limit: PAGE_SIZE };
  if (f.tenantId) input['tenantId'] = f.tenantId;
  if (f.actor) input['actor'] = f.actor.trim();
  if (f.action) input['action'] = f.action.trim();
  const from = f.from ? localDayBoundary(f.from, false) : undefined;
  const to = f.to ? localDayBoundary(f.to, true) : undefined;
  if (from) input['from'] = from;
  if (to) input['to'] = to;
  if (cursor) input['cursor'] = cursor;
  return input as ListInput;
}

function AuditList({ applied }: { applied: Filters }) {
  const [draft, setDraft] = useState(applied);
  const pages = useCursorPages();
  const input = toInput(applied, pages.cursor);
  const entries = useQuery({
    queryKey: ['console', 'audit', 'list', input],
    queryFn: () => api.console.audit.list.query(input),
    placeholderData: keepPreviousData,
  });
  const tenantName = useTenantName();
  const verify = useMutation({
    // A read (a query on the server), run on demand: it walks the whole chain.
    mutationFn: () => api.console.audit.verify.query(applied.tenantId ? { tenantId: applied.tenantId } : {}),
  });
  const set = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(href('/audit', draft));
  };
  const anyFilter = FILTER_KEYS.some((k) => applied[k]);

  return (
    <>
      <PageTitle
        actions={
          <Button variant="light" loading={verify.isPending} onClick={() => verify.mutate()}>
            Verify chain
          </Button>
        }
      >
        Audit log
      </PageTitle>
      {verify.data ? (
        verify.data.ok ? (
          <Alert color="green" role="status" mb="md" title="Chain intact" withCloseButton onClose={() => verify.reset()}>
            {verify.data.entries} {verify.data.entries === 1 ? 'entry' : 'entries'} verified{applied.tenantId ? ` for ${tenantName(applied.tenantId)}` : ''}: every hash matches and links to
            the one before.
          </Alert>
        ) : (
          <Alert color="red" role="alert" mb="md" title="Chain broken" withCloseButton onClose={() => verify.reset()}>
            The audit log was changed: the chain breaks at entry <Code>{verify.data.brokenAt}</Code>.
          </Alert>
        )
      ) : null}
      {verify.isError ? (
        <Alert color="red" role="alert" mb="md" title="Verification failed to run">
          {failureMessage(verify.error)}
        </Alert>
      ) : null}
      <Paper withBorder p="md" mb="md" component="form" onSubmit={apply} aria-label="Audit filters">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm">
          <TenantSelect value={draft.tenantId} onChange={set('tenantId')} />
          <TextInput label="Actor" placeholder="e-mail, user or tenant id" value={draft.actor} onChange={(e) => set('actor')(e.currentTarget.value)} />
          <TextInput label="Action" placeholder="refund.create or payment.*" value={draft.action} onChange={(e) => set('action')(e.currentTarget.value)} />
          <TextInput label="From" type="date" value={draft.from} onChange={(e) => set('from')(e.currentTarget.value)} />
          <TextInput label="To" type="date" value={draft.to} onChange={(e) => set('to')(e.currentTarget.value)} />
        </SimpleGrid>
        <Group mt="md" gap="sm">
          <Button type="submit">Apply filters</Button>
          {anyFilter ? (
            <Button variant="default" onClick={() => navigate('#/audit')}>
              Clear filters
            </Button>
          ) : null}
        </Group>
      </Paper>
      {entries.isPending ? <Loading label="Loading the audit log…" /> : null}
      {entries.isError ? <ErrorState error={entries.error} onRetry={() => void entries.refetch()} /> : null}
      {entries.data ? (
        entries.data.data.length === 0 ? (
          <Empty title={anyFilter ? 'No entries match these filters' : 'The audit log is empty'} />
        ) : (
          <>
            <div className="table-scroll">
              <Table striped aria-label="Audit entries" aria-busy={entries.isFetching}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Actor</Table.Th>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>Target</Table.Th>
                    <Table.Th>Tenant</Table.Th>
                    <Table.Th>Change</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {entries.data.data.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>
                        <Time value={e.createdAt} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.actor.email ?? e.actor.id}</Text>
                        <Text size="xs" c="dimmed">
                          {e.actor.type}
                        </Text>
                      </Table.Td>
                      <Table.Td className="mono">{e.action}</Table.Td>
                      <Table.Td className="mono">
                        {e.targetType} <TargetLink type={e.targetType} id={e.targetId} />
                      </Table.Td>
                      <Table.Td>
                        {tenantName(e.tenantId)} {e.mode ? <ModeBadge mode={e.mode} /> : null}
                      </Table.Td>
                      <Table.Td maw={360}>
                        <Change before={e.before} after={e.after} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
            <Pager pages={pages} nextCursor={entries.data.nextCursor} label="Audit log" />
          </>
        )
      ) : null}
    </>
  );
}

/** Payments and tenants have pages: link to them from their audit entries. */
function TargetLink({ type, id }: { type: string; id: string }) {
  const path = type === 'payment' ? '/payments/' : type === 'tenant' ? '/tenants/' : null;
  return path ? <Anchor href={`#${path}${encodeURIComponent(id)}`}>{id}</Anchor> : <>{id}</>;
}

function Change({ before, after }: { before: unknown; after: unknown }) {
  if (before == null && after == null) return <Text size="xs">—</Text>;
  return (
    <Spoiler maxHeight={60} showLabel="Show all" hideLabel="Show less">
      {before != null ? (
        <Text size="xs" className="timeline-detail mono">
          before: {JSON.stringify(before)}
        </Text>
      ) : null}
      {after != null ? (
        <Text size="xs" className="timeline-detail mono">
          after: {JSON.stringify(after)}
        </Text>
      ) : null}
    </Spoiler>
  );
}
