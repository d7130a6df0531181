import { Paper, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled panel; a <section> named by its heading (a landmark region for screen readers). */
export function Section({ title, children, description }: { title: string; description?: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id}>
        {title}
      </Title>
      {description ? (
        <Text size="sm" c="dimmed" mb="sm">
          {description}
        </Text>
      ) : null}
      <div>{children}</div>
    </Paper>
  );
}
