import { describe, expect, it } from 'vitest';
import { chartPoints } from './PayoutsChart';

describe('chart points', () => {
  it('plots minor units in major units, oldest first, and keeps the exact amount for the tooltip', () => {
    const points = chartPoints(
      [
        { period: '2026-11-21', start: '2026-11-21', net: { amount: '-18.16', minor: -1816, currency: 'EUR' } },
        { period: '2026-11-20', start: '2026-11-20', net: { amount: '1238.16', minor: '123816', currency: 'EUR' } },
        { period: '2026-11-19', start: '2026-11-19', net: { amount: '1238', minor: 1238, currency: 'JPY' } },
      ],
      'day',
    );
    expect(points.map((p) => p.date)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21']);
    expect(points.map((p) => p.net)).toEqual([1238, 1238.16, -18.16]);
    expect(points[1]?.money.amount).toBe('1238.16');
  });
});
