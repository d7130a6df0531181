import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

export interface RevealedSecret {
  /** "Sandbox secret", "Live secret", "Password", … */
  label: string;
  value: string;
}

/**
 * A secret the server shows exactly once (tenant secrets on create/rotate, generated
 * passwords): copy buttons and an unmissable warning. The parent drops it on "Done".
 */
export function SecretReveal({ title, secrets, onDone, doneLabel = 'I have saved them' }: { title: string; secrets: RevealedSecret[]; onDone: () => void; doneLabel?: string }) {
  return (
    <Alert color="yellow" title={title} role="alert" variant="light" className="secret-reveal">
      <Text size="sm" fw={600} mb="sm">
        Copy {secrets.length > 1 ? 'these now' : 'this now'} — you won&apos;t see {secrets.length > 1 ? 'them' : 'it'} again.
      </Text>
      <Stack gap="xs">
        {secrets.map((s) => (
          <Group key={s.label} gap="sm" wrap="nowrap" align="center">
            <Text size="sm" w={130} fw={500}>
              {s.label}
            </Text>
            <Code className="secret-value" data-secret-label={s.label} style={{ wordBreak: 'break-all', flex: 1 }}>
              {s.value}
            </Code>
            <CopyButton value={s.value}>
              {({ copied, copy }) => (
                <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : 'blue'} onClick={copy} aria-label={`Copy ${s.label.toLowerCase()}`}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        ))}
      </Stack>
      <Button mt="md" onClick={onDone}>
        {doneLabel}
      </Button>
    </Alert>
  );
}
