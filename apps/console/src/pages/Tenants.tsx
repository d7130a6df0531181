import { Anchor, Button, Group, Paper, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, type Outputs } from '../api';
import { SecretReveal } from '../components/SecretReveal';
import { Empty, ErrorState, QueryView } from '../components/States';
import { Pager, useCursorPages } from '../components/Pager';
import { Time } from '../components/Time';
import { PageTitle } from '../Layout';
import { navigate } from '../router';
import { isAdmin, useMe } from '../session';

type Created = Outputs['tenants']['create'];

export function TenantsPage() {
  const me = useMe();
  const pages = useCursorPages();
  const tenants = useQuery({
    queryKey: ['console', 'tenants', 'list', { cursor: pages.cursor }],
    queryFn: () => api.console.tenants.list.query({ limit: 50, ...(pages.cursor ? { cursor: pages.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  return (
    <>
      <PageTitle
        actions={
          isAdmin(me.role) && !creating && !created ? (
            <Button onClick={() => setCreating(true)}>Create tenant</Button>
          ) : null
        }
      >
        Tenants
      </PageTitle>
      {created ? (
        <Stack mb="lg">
          <SecretReveal
            title={`Tenant ${created.appName} created — its API secrets`}
            secrets={[
              { label: 'Sandbox secret', value: created.secrets.sandbox },
              { label: 'Live secret', value: created.secrets.live },
            ]}
            onDone={() => {
              const id = created.tenantId;
              setCreated(null);
              navigate(`#/tenants/${encodeURIComponent(id)}`);
            }}
            doneLabel="I have saved them — open the tenant"
          />
        </Stack>
      ) : null}
      {creating ? (
        <CreateTenantForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
          }}
        />
      ) : null}
      <QueryView query={tenants} loadingLabel="Loading tenants…">
        {({ data: list, nextCursor }) =>
          list.length === 0 ? (
            <Empty title="No tenants yet">{isAdmin(me.role) ? 'Create the first one with "Create tenant".' : 'An admin creates tenants.'}</Empty>
          ) : (
            <div className="table-scroll">
              <Table striped highlightOnHover aria-label="Tenants">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Display name</Table.Th>
                    <Table.Th>App name</Table.Th>
                    <Table.Th>ID</Table.Th>
                    <Table.Th>Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((t) => (
                    <Table.Tr key={t.id}>
                      <Table.Td>
                        <Anchor href={`#/tenants/${encodeURIComponent(t.id)}`}>{t.displayName}</Anchor>
                      </Table.Td>
                      <Table.Td className="mono">{t.appName}</Table.Td>
                      <Table.Td className="mono">{t.id}</Table.Td>
                      <Table.Td>
                        <Time value={t.createdAt} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Pager pages={pages} nextCursor={nextCursor} label="Tenants" />
            </div>
          )
        }
      </QueryView>
    </>
  );
}

export function originsFromText(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function CreateTenantForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (result: Created) => void }) {
  const client = useQueryClient();
  const [appName, setAppName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [origins, setOrigins] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.console.tenants.create.mutate({
        appName: appName.trim(),
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
        allowedOrigins: originsFromText(origins),
      }),
    onSuccess: async (result) => {
      await client.invalidateQueries({ queryKey: ['console', 'tenants'] });
      onCreated(result);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Paper withBorder p="md" mb="lg" component="form" onSubmit={submit} aria-label="Create tenant">
      <Title order={2} size="h4" mb="sm">
        New tenant
      </Title>
      <Stack>
        <TextInput
          label="App name"
          description="2–63 lower-case letters, digits or dashes; what the tenant signs in with"
          value={appName}
          onChange={(e) => setAppName(e.currentTarget.value)}
          autoFocus
        />
        <TextInput label="Display name" description="What customers see on the checkout page" value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} />
        <Textarea
          label="Allowed redirect origins"
          description="One per line, e.g. https://shop.example.com"
          autosize
          minRows={2}
          value={origins}
          onChange={(e) => setOrigins(e.currentTarget.value)}
        />
        {create.isError ? <ErrorState title="The tenant was not created" error={create.error} /> : null}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          The tenant&apos;s sandbox and live secrets are shown once, right after creation.
        </Text>
      </Stack>
    </Paper>
  );
}

