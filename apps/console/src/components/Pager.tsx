import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';

/**
 * Keyset pagination: the server gives only `nextCursor`, so the cursors of the pages seen so
 * far are kept here and "Previous" goes back one. Remount (a `key`) to start over.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    page: cursors.length,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
  };
}

export function Pager({ pages, nextCursor, label }: { pages: ReturnType<typeof useCursorPages>; nextCursor: string | null | undefined; label: string }) {
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <Group justify="space-between" mt="md" component="nav" aria-label={`${label} pages`}>
      <Text size="sm" c="dimmed">
        Page {pages.page}
      </Text>
      <Group gap="sm">
        <Button variant="default" disabled={pages.page <= 1} onClick={pages.previous}>
          Previous
        </Button>
        <Button variant="default" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
