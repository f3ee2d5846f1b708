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
export function chartPoints(settlements: readonly { date: string; net: Money }[]): PayoutPoint[] {
  return [...settlements]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((s) => ({
      date: s.date,
      net: Number(s.net.minor ?? 0) / 10 ** currencyDecimals(s.net.currency),
      money: s.net,
      label: formatDate(s.date),
    }));
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
  const axisFormatter = new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  return (
    <BarChart
      h={220}
      data={points.map((p) => ({ ...p }))}
      dataKey="label"
      series={[{ name: 'net', color: 'indigo.5', label: 'Net payout' }]}
      valueFormatter={(value) => axisFormatter.format(value)}
      tickLine="none"
      gridAxis="y"
      barProps={{ radius: [3, 3, 0, 0], maxBarSize: 28 }}
      tooltipProps={{ content: ({ payload }) => <PointTooltip payload={payload as readonly { payload?: PayoutPoint }[]} /> }}
      aria-label="Net payouts per settlement"
    />
  );
}
