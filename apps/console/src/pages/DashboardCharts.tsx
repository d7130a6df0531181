import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { SimpleGrid, Paper, Title, Text } from '@mantine/core';
import { formatAmount } from '../format';
import type { DayPoint } from './dashboard-data';

/** The two charts (recharts is big: this file is loaded lazily, on the dashboard only). */
export default function DashboardCharts({ points, currency }: { points: DayPoint[]; currency: string | null }) {
  const shortDay = (day: string) => day.slice(5);
  const data = points.map((p) => ({ ...p, label: shortDay(p.day) }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Paper withBorder p="md" component="figure" m={0} aria-labelledby="volume-title">
        <Title order={2} size="h4" id="volume-title">
          Succeeded volume{currency ? ` (${currency})` : ''}
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          Per UTC day, by mode
        </Text>
        {currency ? (
          <LineChart
            h={240}
            data={data}
            dataKey="label"
            series={[
              { name: 'sandbox', label: 'Sandbox', color: 'cyan.6' },
              { name: 'live', label: 'Live', color: 'grape.6' },
            ]}
            withLegend
            curveType="monotone"
            valueFormatter={(v) => formatAmount(v, currency)}
            yAxisProps={{ width: 90 }}
          />
        ) : (
          <Text size="sm">No payments in this period.</Text>
        )}
      </Paper>
      <Paper withBorder p="md" component="figure" m={0} aria-labelledby="rate-title">
        <Title order={2} size="h4" id="rate-title">
          Success rate
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          Succeeded ÷ created, per UTC day, by mode (all currencies)
        </Text>
        <LineChart
          h={240}
          data={data}
          dataKey="label"
          series={[
            { name: 'sandboxRate', label: 'Sandbox', color: 'cyan.6' },
            { name: 'liveRate', label: 'Live', color: 'grape.6' },
          ]}
          withLegend
          connectNulls
          curveType="monotone"
          unit="%"
          yAxisProps={{ domain: [0, 100] }}
          valueFormatter={(v) => `${v}%`}
        />
      </Paper>
    </SimpleGrid>
  );
}
