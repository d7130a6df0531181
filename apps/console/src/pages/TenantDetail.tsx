import { Alert, Anchor, Button, ColorInput, Group, Image, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { safeLogoUrl } from '@platform/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, failureMessage, type Outputs } from '../api';
import { Section } from '../components/Section';
import { QueryView } from '../components/States';
import { Time } from '../components/Time';
import { PageTitle } from '../Layout';
import { href } from '../router';
import { isAdmin, useMe } from '../session';
import { ProviderAccounts } from './ProviderAccounts';
import { TenantEndpoints } from './TenantEndpoints';
import { TenantSecrets, tenantQueryKey } from './TenantSecrets';
import { originsFromText } from './Tenants';

type Tenant = Outputs['tenants']['get'];
export function TenantDetailPage({ tenantId }: { tenantId: string }) {
  const tenant = useQuery({ queryKey: tenantQueryKey(tenantId), queryFn: () => api.console.tenants.get.query({ tenantId }) });
  return (
    <>
      <Anchor href="#/tenants" size="sm">
        ← Tenants
      </Anchor>
      <QueryView query={tenant} loadingLabel="Loading the tenant…">
        {(data) => <TenantDetail tenant={data} />}
      </QueryView>
    </>
  );
}

function TenantDetail({ tenant }: { tenant: Tenant }) {
  const logo = safeLogoUrl(tenant.logoUrl);
  return (
    <>
      <PageTitle actions={<Anchor href={href('/payments', { tenantId: tenant.id })}>Payments of this tenant</Anchor>}>
        <Group gap="sm" component="span">
          {logo ? <Image src={logo} alt="" h={32} w={32} fit="contain" /> : null}
          <span>{tenant.displayName}</span>
        </Group>
      </PageTitle>
      <Text size="sm" c="dimmed" mb="md">
        <span className="mono">{tenant.appName}</span> · <span className="mono">{tenant.id}</span> · created <Time value={tenant.createdAt} />
      </Text>
      <Stack gap="lg">
        <TenantSecrets tenant={tenant} />
        <Settings key={tenant.updatedAt} tenant={tenant} />
        <ProviderAccounts tenantId={tenant.id} />
        <TenantEndpoints tenant={tenant} />
      </Stack>
    </>
  );
}

function Settings({ tenant }: { tenant: Tenant }) {
  const me = useMe();
  const admin = isAdmin(me.role);
  const client = useQueryClient();
  const [displayName, setDisplayName] = useState(tenant.displayName);
  const [logoUrl, setLogoUrl] = useState(tenant.logoUrl ?? '');
  const [brandColor, setBrandColor] = useState(tenant.brandColor ?? '');
  const [origins, setOrigins] = useState(tenant.allowedOrigins.join('\n'));
  const [saved, setSaved] = useState(false);
  const update = useMutation({
    mutationFn: () =>
      api.console.tenants.update.mutate({
        tenantId: tenant.id,
        displayName: displayName.trim(),
        logoUrl: logoUrl.trim() || null,
        brandColor: brandColor.trim() || null,
        allowedOrigins: originsFromText(origins),
      }),
    onSuccess: async () => {
      setSaved(true);
      await client.invalidateQueries({ queryKey: ['console', 'tenants'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    update.mutate();
  };
  const preview = safeLogoUrl(logoUrl.trim());
  return (
    <Section title="Checkout branding and redirects" description="What customers see on the hosted checkout, and where payments may send them back to.">
      <form onSubmit={submit} aria-label="Tenant settings">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label="Display name" value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} readOnly={!admin} />
          <ColorInput
            label="Brand colour"
            description="Hex, like #0a6b44"
            format="hex"
            value={brandColor}
            onChange={setBrandColor}
            readOnly={!admin}
            withPicker={admin}
            withEyeDropper={false}
          />
          <Group align="flex-end" gap="sm" wrap="nowrap">
            <TextInput label="Logo URL" description="https only" type="url" value={logoUrl} onChange={(e) => setLogoUrl(e.currentTarget.value)} readOnly={!admin} style={{ flex: 1 }} />
            {preview ? <Image src={preview} alt="Logo preview" h={36} w={36} fit="contain" /> : null}
          </Group>
          <Textarea
            label="Allowed redirect origins"
            description="One per line; returnUrl and cancelUrl must start with one of these"
            autosize
            minRows={2}
            value={origins}
            onChange={(e) => setOrigins(e.currentTarget.value)}
            readOnly={!admin}
          />
        </SimpleGrid>
        {admin ? (
          <Group mt="md">
            <Button type="submit" loading={update.isPending}>
              Save settings
            </Button>
            {saved ? (
              <Text size="sm" c="green" role="status">
                Saved.
              </Text>
            ) : null}
          </Group>
        ) : (
          <Text size="xs" c="dimmed" mt="sm">
            Only admins change these.
          </Text>
        )}
        {update.isError ? (
          <Alert color="red" role="alert" mt="sm">
            {failureMessage(update.error)}
          </Alert>
        ) : null}
      </form>
    </Section>
  );
}

