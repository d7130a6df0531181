import { Alert, Button, Container, Paper, Stack, TextInput, Title, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, failureMessage, toFailure } from '../api';
import { setSession } from '../session';

export function SignIn({ expired }: { expired: boolean }) {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your e-mail and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSession(client, await api.console.auth.login.mutate({ email: email.trim(), password }));
    } catch (e) {
      const failure = toFailure(e);
      setError(failure.httpStatus === 401 || failure.appCode === 'invalid_credentials' ? 'Wrong e-mail or password.' : failureMessage(e));
      setBusy(false);
    }
  }

  return (
    <Container size={420} py={80} component="main">
      <Title order={1} ta="center" size="h2">
        Payment platform console
      </Title>
      <Text c="dimmed" ta="center" size="sm" mt={4}>
        Sign in with your console account
      </Text>
      <Paper withBorder shadow="sm" p="lg" mt="lg" radius="md">
        <form onSubmit={submit} noValidate aria-label="Sign in">
          <Stack>
            {expired ? (
              <Alert color="yellow" role="status">
                Your session has ended. Sign in again to continue.
              </Alert>
            ) : null}
            {error ? (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            ) : null}
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoFocus />
            <TextInput label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
