import { formatLocalTime, formatUtcTime } from '../format';

/** Local time on screen, the UTC time on hover (title) and for machines (datetime). */
export function Time({ value }: { value: string | Date | null | undefined }) {
  if (!value) return <span>—</span>;
  const iso = typeof value === 'string' ? value : value.toISOString();
  return (
    <time dateTime={iso} title={formatUtcTime(iso)}>
      {formatLocalTime(iso)}
    </time>
  );
}
