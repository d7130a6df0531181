import { Alert, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, failureMessage, type Outputs } from '../api';
import { RoleBadge } from '../components/Badges';
import { Pager, useCursorPages } from '../components/Pager';
import { SecretReveal } from '../components/SecretReveal';
import { Empty, QueryView } from '../components/States';
import { Time } from '../components/Time';
import { PageTitle } from '../Layout';
import { isAdmin, useMe, type Role } from '../session';

const ROLES: Role[] = ['admin', 'support', 'viewer'];
type User = Outputs['users']['list']['data'][number];
type CreatedUser = Outputs['users']['create'];

export function UsersPage() {
  const me = useMe();
  if (!isAdmin(me.role)) {
    return (
      <>
        <PageTitle>Users</PageTitle>
        <Empty title="Only admins manage users">Ask an admin to add people or change roles.</Empty>
      </>
    );
  }
  return <UsersAdmin />;
}

function UsersAdmin() {
  const me = useMe();
  const pages = useCursorPages();
  const users = useQuery({
    queryKey: ['console', 'users', 'list', { cursor: pages.cursor }],
    queryFn: () => api.console.users.list.query({ limit: 50, ...(pages.cursor ? { cursor: pages.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const [created, setCreated] = useState<CreatedUser | null>(null);
  return (
    <>
      <PageTitle>Users</PageTitle>
      {created ? (
        <Stack mb="lg">
          {created.password ? (
            <SecretReveal title={`User ${created.user.email} created`} secrets={[{ label: 'Password', value: created.password }]} onDone={() => setCreated(null)} doneLabel="Done" />
          ) : (
            <Alert color="green" role="status" withCloseButton onClose={() => setCreated(null)}>
              User {created.user.email} created with the password you chose.
            </Alert>
          )}
        </Stack>
      ) : null}
      <CreateUserForm onCreated={setCreated} />
      <QueryView query={users} loadingLabel="Loading users…">
        {({ data: list, nextCursor }) =>
          list.length === 0 ? (
            <Empty title="No users" />
          ) : (
            <div className="table-scroll">
              <Table striped aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>E-mail</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((u) => (
                    <UserRow key={u.id} user={u} self={u.id === me.id} />
                  ))}
                </Table.Tbody>
              </Table>
              <Pager pages={pages} nextCursor={nextCursor} label="Users" />
            </div>
          )
        }
      </QueryView>
    </>
  );
}

function UserRow({ user, self }: { user: User; self: boolean }) {
  const client = useQueryClient();
  const [role, setRole] = useState<Role>(user.role);
  const [confirming, setConfirming] = useState(false);
  const invalidate = () => client.invalidateQueries({ queryKey: ['console', 'users'] });
  const update = useMutation({ mutationFn: () => api.console.users.updateRole.mutate({ userId: user.id, role }), onSuccess: invalidate });
  const remove = useMutation({ mutationFn: () => api.console.users.remove.mutate({ userId: user.id }), onSuccess: invalidate });
  const error = update.error ?? remove.error;
  return (
    <Table.Tr>
      <Table.Td>
        {user.email}
        {self ? (
          <Text span size="xs" c="dimmed">
            {' '}
            (you)
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <RoleBadge role={user.role} />
      </Table.Td>
      <Table.Td>
        <Time value={user.createdAt} />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <NativeSelect
            aria-label={`Role of ${user.email}`}
            size="xs"
            data={ROLES}
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
            disabled={self}
          />
          <Button size="xs" variant="light" disabled={self || role === user.role} loading={update.isPending} onClick={() => update.mutate()}>
            Save role
          </Button>
          {confirming ? (
            <>
              <Button size="xs" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                Confirm removal
              </Button>
              <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
                Keep
              </Button>
            </>
          ) : (
            <Button size="xs" color="red" variant="subtle" disabled={self} onClick={() => setConfirming(true)} aria-label={`Remove ${user.email}`}>
              Remove
            </Button>
          )}
        </Group>
        {error ? (
          <Text size="xs" c="red" role="alert">
            {failureMessage(error)}
          </Text>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: CreatedUser) => void }) {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () => api.console.users.create.mutate({ email: email.trim(), role, ...(password ? { password } : {}) }),
    onSuccess: async (user) => {
      setEmail('');
      setPassword('');
      await client.invalidateQueries({ queryKey: ['console', 'users'] });
      onCreated(user);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Paper withBorder p="md" mb="lg" component="form" noValidate onSubmit={submit} aria-label="Add user">
      <Title order={2} size="h4" mb="sm">
        Add a user
      </Title>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <NativeSelect label="Role" data={ROLES} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} />
        <TextInput
          label="Password"
          type="password"
          autoComplete="new-password"
          description="Empty: one is generated and shown once"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <Button type="submit" loading={create.isPending}>
          Add user
        </Button>
      </Group>
      {create.isError ? (
        <Alert color="red" role="alert" mt="sm">
          {failureMessage(create.error)}
        </Alert>
      ) : null}
    </Paper>
  );
}

