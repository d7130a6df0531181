import { Badge } from '@mantine/core';

/** Badges truncate by default; in narrow table cells the whole word must stay readable. */
const NO_SHRINK = { flexShrink: 0, minWidth: 'max-content' } as const;

const STATUS_COLORS: Record<string, string> = {
  succeeded: 'green',
  processing: 'yellow',
  requires_action: 'orange',
  requires_payment_method: 'gray',
  canceled: 'dark',
  pending: 'yellow',
  failed: 'red',
  enabled: 'green',
  disabled: 'red',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" tt="none" style={NO_SHRINK}>
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}

export function ModeBadge({ mode }: { mode: string }) {
  return (
    <Badge color={mode === 'live' ? 'grape' : 'cyan'} variant="outline" tt="none" style={NO_SHRINK}>
      {mode}
    </Badge>
  );
}

export function RoleBadge({ role }: { role: string }) {
  return (
    <Badge color={role === 'admin' ? 'red' : role === 'support' ? 'blue' : 'gray'} variant="light" tt="none" style={NO_SHRINK}>
      {role}
    </Badge>
  );
}
