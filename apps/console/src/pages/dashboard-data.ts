import type { Outputs } from '../api';

export type Summary = Outputs['dashboard']['summary'];
type SeriesRow = Summary['series'][number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every UTC day from `since` through today: days without payments are absent from the series. */
export function daysSince(since: string, now = new Date()): string[] {
  const days: string[] = [];
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let t = Date.parse(since); t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Currencies by number of payments, most used first (the volume chart shows one currency). */
export function currenciesOf(series: SeriesRow[]): string[] {
  const counts = new Map<string, number>();
  for (const r of series) counts.set(r.currency, (counts.get(r.currency) ?? 0) + r.count);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

export interface DayPoint {
  day: string;
  /** Succeeded volume per mode, minor units of the chosen currency. */
  sandbox: number;
  live: number;
  /** Success rate per mode, 0..100, or null on days without payments in that mode. */
  sandboxRate: number | null;
  liveRate: number | null;
  sandboxCount: number;
  liveCount: number;
}

/** One point per day: volume of one currency by mode, and success rate by mode (all currencies). */
export function toDayPoints(summary: Summary, currency: string | null, now = new Date()): DayPoint[] {
  return daysSince(summary.since, now).map((day) => {
    const rows = summary.series.filter((r) => r.day === day);
    const point: DayPoint = { day, sandbox: 0, live: 0, sandboxRate: null, liveRate: null, sandboxCount: 0, liveCount: 0 };
    for (const mode of ['sandbox', 'live'] as const) {
      const ofMode = rows.filter((r) => r.mode === mode);
      const count = ofMode.reduce((n, r) => n + r.count, 0);
      const succeeded = ofMode.reduce((n, r) => n + r.succeededCount, 0);
      point[mode] = ofMode.filter((r) => r.currency === currency).reduce((n, r) => n + r.volume, 0);
      point[`${mode}Count`] = count;
      point[`${mode}Rate`] = count > 0 ? Math.round((succeeded / count) * 1000) / 10 : null;
    }
    return point;
  });
}
