import { Alert, Badge, Button, Code, Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, failureMessage, type Outputs } from '../api';
import { Empty, QueryView } from '../components/States';
import { Time } from '../components/Time';
import { isAdmin, useMe } from '../session';
import { AddAccount } from './ProviderAccountForm';

type Mode = 'sandbox' | 'live';
type Account = Outputs['providerAccounts']['list']['data'][number];

const accountsKey = (tenantId: string, mode: Mode) => ['console', 'providerAccounts', tenantId, mode] as const;

/** A tenant's provider accounts per mode, in the order payments try them (move up/down). */
export function ProviderAccounts({ tenantId }: { tenantId: string }) {
  const [mode, setMode] = useState<Mode>('sandbox');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="provider-accounts-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="provider-accounts-title">
          Provider accounts and routing
        </Title>
        <SegmentedControl
          aria-label="Mode"
          value={mode}
          onChange={(v) => setMode(v as Mode)}
          data={[
            { value: 'sandbox', label: 'Sandbox' },
            { value: 'live', label: 'Live' },
          ]}
        />
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        Payments try these accounts in order; the next one is used when one is unavailable.
        {mode === 'sandbox' ? ' Without any, sandbox payments use the built-in sandbox provider.' : ''}
      </Text>
      <AccountList key={mode} tenantId={tenantId} mode={mode} />
    </Paper>
  );
}

function AccountList({ tenantId, mode }: { tenantId: string; mode: Mode }) {
  const me = useMe();
  const admin = isAdmin(me.role);
  const client = useQueryClient();
  const accounts = useQuery({ queryKey: accountsKey(tenantId, mode), queryFn: () => api.console.providerAccounts.list.query({ tenantId, mode }) });
  const [error, setError] = useState<unknown>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: accountsKey(tenantId, mode) });
  const routing = useMutation({
    mutationFn: (accountIds: string[]) => api.console.providerAccounts.setRouting.mutate({ tenantId, mode, accountIds }),
    onSuccess: (result) => {
      setError(null);
      client.setQueryData(accountsKey(tenantId, mode), result);
    },
    onError: setError,
  });
  const remove = useMutation({
    mutationFn: (accountId: string) => api.console.providerAccounts.remove.mutate({ accountId }),
    onSuccess: async () => {
      setError(null);
      setConfirmRemove(null);
      await refresh();
    },
    onError: setError,
  });

  const move = (list: Account[], index: number, by: -1 | 1) => {
    const ids = list.map((a) => a.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id!);
    moved.current = id!;
    routing.mutate(ids);
  };

  // After a move the keyboard focus stays with the moved account: on the same button, or on
  // the other one when the account reached the top or the bottom (its button is now disabled).
  const moved = useRef<string | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());
  useEffect(() => {
    const id = moved.current;
    const list = accounts.data?.data;
    if (!id || !list || routing.isPending) return;
    moved.current = null;
    const index = list.findIndex((a) => a.id === id);
    const up = buttons.current.get(`${id}:up`);
    const down = buttons.current.get(`${id}:down`);
    (index === 0 ? down : index === list.length - 1 ? up : (document.activeElement === down ? down : up))?.focus();
  }, [accounts.data, routing.isPending]);

  return (
    <QueryView query={accounts} loadingLabel="Loading provider accounts…">
      {({ data: list }) => (
        <Stack>
          {list.length === 0 ? (
            <Empty title={`No ${mode} provider accounts`} />
          ) : (
            <div className="table-scroll">
              <Table aria-label={`${mode} provider accounts`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Order</Table.Th>
                    <Table.Th>Account</Table.Th>
                    <Table.Th>Credentials</Table.Th>
                    <Table.Th>Added</Table.Th>
                    {admin ? <Table.Th>Actions</Table.Th> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((a, i) => {
                    const name = `${a.label ?? a.provider} (${a.provider})`;
                    return (
                      <Table.Tr key={a.id}>
                        <Table.Td>{a.position}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" tt="none" mr={6}>
                            {a.provider}
                          </Badge>
                          {a.label ?? ''}
                          <Text size="xs" c="dimmed" className="mono">
                            {a.id}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          {Object.entries(a.credentials).map(([k, v]) => (
                            <Text key={k} size="xs">
                              {k}: <Code>{v}</Code>
                            </Text>
                          ))}
                        </Table.Td>
                        <Table.Td>
                          <Time value={a.createdAt} />
                        </Table.Td>
                        {admin ? (
                          <Table.Td>
                            <Group gap={4} wrap="nowrap">
                              <Button
                                ref={(el) => void buttons.current.set(`${a.id}:up`, el)}
                                size="xs"
                                variant="default"
                                disabled={i === 0}
                                onClick={() => !routing.isPending && move(list, i, -1)}
                                aria-label={`Move ${name} up`}
                              >
                                Move up
                              </Button>
                              <Button
                                ref={(el) => void buttons.current.set(`${a.id}:down`, el)}
                                size="xs"
                                variant="default"
                                disabled={i === list.length - 1}
                                onClick={() => !routing.isPending && move(list, i, 1)}
                                aria-label={`Move ${name} down`}
                              >
                                Move down
                              </Button>
                              {confirmRemove === a.id ? (
                                <>
                                  <Button size="xs" color="red" loading={remove.isPending} onClick={() => remove.mutate(a.id)}>
                                    Confirm removal
                                  </Button>
                                  <Button size="xs" variant="default" onClick={() => setConfirmRemove(null)}>
                                    Keep
                                  </Button>
                                </>
                              ) : (
                                <Button size="xs" color="red" variant="subtle" onClick={() => setConfirmRemove(a.id)} aria-label={`Remove ${name}`}>
                                  Remove
                                </Button>
                              )}
                            </Group>
                          </Table.Td>
                        ) : null}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </div>
          )}
          {error ? (
            <Alert color="red" role="alert">
              {failureMessage(error)}
            </Alert>
          ) : null}
          {admin ? <AddAccount tenantId={tenantId} mode={mode} onAdded={refresh} /> : null}
        </Stack>
      )}
    </QueryView>
  );
}
