import { Alert, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, failureMessage } from '../api';

type Mode = 'sandbox' | 'live';
type Provider = 'stripe' | 'adyen';

/** The credential fields each provider needs (packages/core provider-accounts.ts validates them). */
const FIELDS: Record<Provider, { key: string; label: string; placeholder: string; secret?: boolean; optional?: boolean; select?: string[] }[]> = {
  stripe: [
    { key: 'secretKey', label: 'Secret key', placeholder: 'sk_test_…', secret: true },
    { key: 'publishableKey', label: 'Publishable key', placeholder: 'pk_test_…' },
    { key: 'webhookSecret', label: 'Webhook signing secret', placeholder: 'whsec_…', secret: true },
  ],
  adyen: [
    { key: 'apiKey', label: 'API key', placeholder: 'AQE…', secret: true },
    { key: 'merchantAccount', label: 'Merchant account', placeholder: 'AcmeECOM' },
    { key: 'clientKey', label: 'Client key', placeholder: 'test_…' },
    { key: 'hmacKey', label: 'HMAC key', placeholder: 'hex', secret: true },
    { key: 'environment', label: 'Environment', placeholder: '', select: ['test', 'live'] },
    { key: 'liveEndpointUrlPrefix', label: 'Live endpoint URL prefix', placeholder: 'only for live', optional: true },
  ],
};

/** Adds an account at the end of the routing list; the credentials are never shown again in full. */
export function AddAccount({ tenantId, mode, onAdded }: { tenantId: string; mode: Mode; onAdded: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [provider, setProvider] = useState<Provider>('stripe');
  const [label, setLabel] = useState('');
  const [values, setValues] = useState<Record<string, string>>({ environment: mode === 'live' ? 'live' : 'test' });
  // The value is read at once: React's event is gone by the time a state updater runs.
  const setField = (key: string, value: string) => setValues((v) => ({ ...v, [key]: value }));
  const add = useMutation({
    mutationFn: () => {
      const config: Record<string, string> = {};
      for (const f of FIELDS[provider]) {
        const v = (values[f.key] ?? '').trim();
        if (v || !f.optional) config[f.key] = v;
      }
      return api.console.providerAccounts.add.mutate({ tenantId, mode, provider, config, ...(label.trim() ? { label: label.trim() } : {}) });
    },
    onSuccess: async () => {
      setValues({ environment: mode === 'live' ? 'live' : 'test' });
      setLabel('');
      setOpen(false);
      await onAdded();
    },
  });
  if (!open) {
    return (
      <Group>
        <Button variant="light" onClick={() => setOpen(true)}>
          Add {mode} account
        </Button>
      </Group>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label={`Add ${mode} provider account`}>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <NativeSelect label="Provider" data={['stripe', 'adyen']} value={provider} onChange={(e) => setProvider(e.currentTarget.value as Provider)} />
          <TextInput label="Label" description="Optional, e.g. 'Stripe EU'" value={label} onChange={(e) => setLabel(e.currentTarget.value)} />
          {FIELDS[provider].map((f) =>
            f.select ? (
              <NativeSelect key={f.key} label={f.label} data={f.select} value={values[f.key] ?? ''} onChange={(e) => setField(f.key, e.currentTarget.value)} />
            ) : (
              <TextInput
                key={f.key}
                label={f.label}
                placeholder={f.placeholder}
                type={f.secret ? 'password' : 'text'}
                autoComplete="off"
                description={f.optional ? 'Optional' : undefined}
                value={values[f.key] ?? ''}
                onChange={(e) => setField(f.key, e.currentTarget.value)}
              />
            ),
          )}
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          Credentials are encrypted at rest and never shown again in full.
        </Text>
        {add.isError ? (
          <Alert color="red" role="alert">
            {failureMessage(add.error)}
          </Alert>
        ) : null}
        <Group>
          <Button type="submit" loading={add.isPending}>
            Add account
          </Button>
          <Button variant="default" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
