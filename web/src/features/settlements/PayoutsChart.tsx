import { BarChart } from '@mantine/charts';
import { Paper, Text } from '@mantine/core';
import { currencyDecimals } from '../../lib/decimal';
import { formatDate, formatMoney, type Money } from '../../lib/format';

export interface PayoutPoint {
  date: string;
  /** For the bar height only: see chartPoints. */
  net: number;
  /** The exact amount, shown in the tooltip. */
  money: Money;
  label: string;
}

/**
 * One bar per settlement, oldest first. The bar heights are the one place the
 * UI turns money into a JavaScript number: `minor` (an exact integer from the
 * server) divided by the currency's minor units, only so the chart library
 * can plot it. Every amount shown as text still comes from `amount`.
 */
export function chartPoints(periods: readonly { start: string; period: string; net: Money }[], grouping: 'day' | 'week' | 'month'): PayoutPoint[] {
  return [...periods]
    .sort((a, b) => a.start.localeCompare(b.start))
    .map((p) => ({
      date: p.start,
      net: Number(p.net.minor ?? 0) / 10 ** currencyDecimals(p.net.currency),
      money: p.net,
      label: periodLabel(p, grouping),
    }));
}

/** "2026-11-21" → "Nov 21, 2026"; a week by its Monday; a month by its name. */
export function periodLabel(p: { start: string; period: string }, grouping: 'day' | 'week' | 'month'): string {
  switch (grouping) {
    case 'day':
      return formatDate(p.start);
    case 'week':
      return `Week of ${formatDate(p.start)}`;
    case 'month': {
      const [y = 1970, m = 1] = p.start.split('-').map(Number);
      return new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
    }
  }
}

function PointTooltip({ payload }: { payload?: readonly { payload?: PayoutPoint }[] }) {
  const point = payload?.[0]?.payload;
  if (!point) {
    return null;
  }
  return (
    <Paper withBorder shadow="sm" px="sm" py={6} radius="sm">
      <Text size="xs" c="dimmed">
        {point.label}
      </Text>
      <Text size="sm" fw={600}>
        {formatMoney(point.money)}
      </Text>
    </Paper>
  );
}

export function PayoutsChart({ points, currency }: { points: readonly PayoutPoint[]; currency: string }) {
  // Axis ticks only: rounded, compact (e.g. "€1.2K"); the tooltip shows the exact amount.
  const axisFormatter = new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  return (
    <BarChart
      h={220}
      data={points.map((p) => ({ ...p }))}
      dataKey="label"
      series={[{ name: 'net', color: 'indigo.5', label: 'Net payout' }]}
      getBarColor={(value) => (value < 0 ? 'orange.5' : 'indigo.5')}
      valueFormatter={(value) => axisFormatter.format(value)}
      tickLine="none"
      gridAxis="y"
      barProps={{ radius: [3, 3, 0, 0], maxBarSize: 28 }}
      tooltipProps={{ content: ({ payload }) => <PointTooltip payload={payload as readonly { payload?: PayoutPoint }[]} /> }}
      aria-label="Net payouts per period"
    />
  );
}
