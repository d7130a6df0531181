import { Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Outputs } from '../api';
import { ModeBadge } from '../components/Badges';
import { SecretReveal } from '../components/SecretReveal';
import { Section } from '../components/Section';
import { ErrorState } from '../components/States';
import { Time } from '../components/Time';
import { isAdmin, useMe } from '../session';

type Tenant = Outputs['tenants']['get'];
type Mode = 'sandbox' | 'live';

export const tenantQueryKey = (tenantId: string) => ['console', 'tenants', 'get', tenantId] as const;

/** Masked secrets (only hashes are stored) and rotation, whose new secret is shown once. */
export function TenantSecrets({ tenant }: { tenant: Tenant }) {
  const me = useMe();
  const client = useQueryClient();
  const [revealed, setRevealed] = useState<{ mode: Mode; secret: string; previousValidUntil: string } | null>(null);
  const [confirm, setConfirm] = useState<Mode | null>(null);
  const rotate = useMutation({
    mutationFn: (mode: Mode) => api.console.tenants.rotateSecret.mutate({ tenantId: tenant.id, mode }),
    onSuccess: async (result) => {
      setConfirm(null);
      setRevealed({ mode: result.mode, secret: result.secret, previousValidUntil: result.previousValidUntil });
      await client.invalidateQueries({ queryKey: tenantQueryKey(tenant.id) });
    },
  });
  return (
    <Section title="API secrets" description="The tenant signs in to the REST API with its app name and one of these. Only hashes are stored: they cannot be shown again.">
      {revealed ? (
        <Stack mb="md">
          <SecretReveal
            title={`New ${revealed.mode} secret`}
            secrets={[{ label: `${revealed.mode === 'sandbox' ? 'Sandbox' : 'Live'} secret`, value: revealed.secret }]}
            onDone={() => setRevealed(null)}
            doneLabel="I have saved it"
          />
          <Text size="sm">
            The previous {revealed.mode} secret keeps working until <Time value={revealed.previousValidUntil} />.
          </Text>
        </Stack>
      ) : null}
      <Table aria-label="Secrets">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Mode</Table.Th>
            <Table.Th>Secret</Table.Th>
            <Table.Th>Issued</Table.Th>
            <Table.Th>Previous secret valid until</Table.Th>
            {isAdmin(me.role) ? <Table.Th>Rotate</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(['sandbox', 'live'] as const).map((mode) => {
            const s = tenant.secrets[mode];
            return (
              <Table.Tr key={mode}>
                <Table.Td>
                  <ModeBadge mode={mode} />
                </Table.Td>
                <Table.Td className="mono">{s.set ? s.masked : 'none'}</Table.Td>
                <Table.Td>
                  <Time value={s.rotatedAt} />
                </Table.Td>
                <Table.Td>{s.previousValidUntil ? <Time value={s.previousValidUntil} /> : '—'}</Table.Td>
                {isAdmin(me.role) ? (
                  <Table.Td>
                    {confirm === mode ? (
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" color="red" loading={rotate.isPending} onClick={() => rotate.mutate(mode)}>
                          Rotate now
                        </Button>
                        <Button size="xs" variant="default" onClick={() => setConfirm(null)}>
                          Cancel
                        </Button>
                      </Group>
                    ) : (
                      <Button size="xs" variant="light" onClick={() => setConfirm(mode)} aria-label={`Rotate ${mode} secret`}>
                        Rotate…
                      </Button>
                    )}
                  </Table.Td>
                ) : null}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {confirm ? (
        <Text size="sm" mt="xs" role="status">
          A new {confirm} secret is issued; the current one stays valid for 24 hours so the tenant can switch over.
        </Text>
      ) : null}
      {rotate.isError ? <ErrorState title="The secret was not rotated" error={rotate.error} /> : null}
    </Section>
  );
}
