import '../operations.css';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { c } from '../../../i18n/console-en.ts';
import type { components } from '../../../lib/api.gen.ts';
import { type LiveState, openLiveEvents } from '../../../lib/sse.ts';
import { API, api, errorText } from '../../api.ts';
import { DataTable } from '../../data.tsx';
import { bucket, count, micros, minor, moment, share } from '../../display.ts';
import type { ChartSeries } from './TimeChart.tsx';

type OverviewData = components['schemas']['Overview'];
type Dimension = 'providers' | 'services' | 'countries';

// uPlot and its styles load with the chart module, only when the overview is shown.
const TimeChart = lazy(() => import('./TimeChart.tsx'));

export const RANGES = {
  '24h': { hours: 24, granularity: 'hour' },
  '7d': { hours: 7 * 24, granularity: 'hour' },
  '30d': { hours: 30 * 24, granularity: 'hour' },
  '90d': { hours: 90 * 24, granularity: 'day' },
} as const;
export type RangeKey = keyof typeof RANGES;

const o = c.overview;
const OUTCOMES = ['completed', 'cancelled', 'expired', 'failed'] as const;
const OUTCOME_COLORS = { completed: 'var(--success)', cancelled: 'var(--muted)', expired: 'var(--warning)', failed: 'var(--danger)' };

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** Revenue, cost and margin by UTC day, whatever the granularity of the series. */
function byDay(series: OverviewData['series']) {
  const days = new Map<string, { at: string; revenue: number; providerCost: number; margin: number }>();
  for (const point of series) {
    const key = point.at.slice(0, 10);
    const day = days.get(key) ?? { at: `${key}T00:00:00.000Z`, revenue: 0, providerCost: 0, margin: 0 };
    day.revenue += point.revenue;
    day.providerCost += point.providerCost;
    day.margin += point.margin;
    days.set(key, day);
  }
  return [...days.values()];
}

/** Payments of the period by method, status and currency (the API gives them per day). */
function paymentGroups(payments: OverviewData['payments']) {
  const groups = new Map<
    string,
    { method: string; status: string; currency: string; payments: number; amountMinor: number; credits: number; refundedMinor: number }
  >();
  for (const row of payments) {
    const key = `${row.method}\u0000${row.status}\u0000${row.currency}`;
    const group = groups.get(key) ?? {
      method: row.method,
      status: row.status,
      currency: row.currency,
      payments: 0,
      amountMinor: 0,
      credits: 0,
      refundedMinor: 0,
    };
    group.payments += row.payments;
    group.amountMinor += row.amountMinor;
    group.credits += row.credits;
    group.refundedMinor += row.refundedMinor;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.method.localeCompare(b.method) || a.status.localeCompare(b.status));
}

/** A chart with its title and its text alternative: a summary and the figures as a table for screen readers. */
function Chart({
  id,
  title,
  summary,
  x,
  series,
  bars,
  rows,
  granularity,
}: {
  id: string;
  title: string;
  summary: string;
  x: string[];
  series: ChartSeries[];
  bars?: boolean;
  rows: number[][];
  granularity: 'hour' | 'day';
}) {
  const xs = useMemo(() => x.map(seconds), [x]);
  return (
    <section className="console-section card chart-card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p className="muted">{summary}</p>
      <Suspense fallback={<p className="loading">{o.chartLoading}</p>}>
        <TimeChart x={xs} series={series} bars={bars} />
      </Suspense>
      {/* A table is not clipped by its own overflow: the wrapper hides it. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{o.when}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {x.map((at, i) => (
              <tr key={at}>
                <th scope="row">{bucket(at, granularity)}</th>
                {rows.map((values, j) => (
                  <td key={series[j]?.label}>{count(values[i] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Figures({ data }: { data: OverviewData }) {
  const [dimension, setDimension] = useState<Dimension>('providers');
  const per = data.granularity === 'hour' ? o.perHour : o.perDay;
  const at = useMemo(() => data.series.map((point) => point.at), [data]);
  const outcomeSeries = useMemo(
    () =>
      OUTCOMES.map((outcome) => ({
        label: o.outcomes[outcome] ?? outcome,
        color: OUTCOME_COLORS[outcome],
        values: data.series.map((p) => p[outcome]),
      })),
    [data],
  );
  const days = useMemo(() => byDay(data.series), [data]);
  const dayAt = useMemo(() => days.map((day) => day.at), [days]);
  const moneySeries = useMemo(
    () => [
      { label: o.money.revenue, color: 'var(--primary)', values: days.map((d) => d.revenue) },
      { label: o.money.providerCost, color: 'var(--warning)', values: days.map((d) => d.providerCost) },
      { label: o.money.margin, color: 'var(--success)', values: days.map((d) => d.margin) },
    ],
    [days],
  );
  const accountSeries = useMemo(
    () => [
      { label: o.accounts.email, color: 'var(--primary)', values: data.series.map((p) => p.newAccounts.email) },
      { label: o.accounts.device, color: 'var(--success)', values: data.series.map((p) => p.newAccounts.device) },
    ],
    [data],
  );
  const groups = useMemo(() => paymentGroups(data.payments), [data]);
  const lowBalances = data.balances.filter((b) => b.low).length;
  const { totals } = data;
  const figures = data[dimension];

  return (
    <>
      <Chart
        id="chart-orders"
        title={o.orders.title(per)}
        summary={o.orders.summary(totals.completed, totals.cancelled, totals.expired, totals.failed)}
        x={at}
        series={outcomeSeries}
        rows={outcomeSeries.map((s) => s.values)}
        granularity={data.granularity}
      />
      <Chart
        id="chart-money"
        title={o.money.title}
        summary={o.money.summary(count(totals.revenue), count(totals.providerCost), count(totals.margin))}
        x={dayAt}
        series={moneySeries}
        bars
        rows={moneySeries.map((s) => s.values)}
        granularity="day"
      />
      {data.costs
        .filter((cost) => cost.credits === null)
        .map((cost) => (
          <p key={`${cost.provider}-${cost.currency}`} className="notice notice--warning">
            {o.money.unrated(cost.provider, micros(cost.micros, cost.currency))}
          </p>
        ))}

      <section className="console-section card" aria-labelledby="codes-title">
        <h2 id="codes-title">{o.codes.title}</h2>
        <div className="field field--inline">
          <label htmlFor="codes-by">{o.codes.by}</label>
          <select id="codes-by" value={dimension} onChange={(event) => setDimension(event.target.value as Dimension)}>
            {(['providers', 'services', 'countries'] as const).map((d) => (
              <option key={d} value={d}>
                {o.codes.dimensions[d]}
              </option>
            ))}
          </select>
        </div>
        <DataTable
          variant="stack"
          caption={`${o.codes.title}: ${o.codes.dimensions[dimension]}`}
          empty={o.codes.none}
          rows={figures}
          rowKey={(row) => row.value}
          columns={[
            { label: o.codes.dimensions[dimension], cell: (row) => row.value },
            { label: o.codes.orders, numeric: true, cell: (row) => count(row.completed + row.cancelled + row.expired + row.failed) },
            {
              label: o.codes.rate,
              cell: (row) =>
                row.codeRate === null ? (
                  o.codes.noValue
                ) : (
                  <span className="meter">
                    <span className="meter__bar" style={{ width: `${Math.round(row.codeRate * 100)}%` }} aria-hidden="true" />
                    <span>{share(row.codeRate)}</span>
                  </span>
                ),
            },
            ...(['p50', 'p90', 'p99'] as const).map((p) => ({
              label: o.codes[p],
              numeric: true,
              cell: (row: (typeof figures)[number]) => (row.timeToCode ? o.codes.seconds(row.timeToCode[p]) : o.codes.noValue),
            })),
          ]}
        />
      </section>

      <section className="console-section card" aria-labelledby="refunds-title">
        <h2 id="refunds-title">{o.refunds.title}</h2>
        <DataTable
          variant="plain"
          rows={['cancelled', 'expired', 'failed'] as const}
          rowKey={(cause) => cause}
          columns={[
            { label: o.refunds.cause, cell: (cause) => o.outcomes[cause] },
            { label: o.refunds.orders, numeric: true, cell: (cause) => count(data.refunds.orders[cause]) },
          ]}
        />
        <p>{o.refunds.ordersCredits(count(data.refunds.orders.credits))}</p>
        <h3>{o.refunds.payments}</h3>
        <DataTable
          variant="plain"
          empty={o.refunds.noPayments}
          rows={data.refunds.payments}
          rowKey={(row) => row.currency}
          columns={[
            { label: o.refunds.currency, cell: (row) => row.currency.toUpperCase() },
            { label: o.refunds.refunded, numeric: true, cell: (row) => count(row.refunded) },
            { label: o.refunds.amount, numeric: true, cell: (row) => minor(row.refundedMinor, row.currency) },
          ]}
        />
      </section>

      <Chart
        id="chart-accounts"
        title={o.accounts.title(per)}
        summary={o.accounts.summary(totals.newAccounts.email, totals.newAccounts.device)}
        x={at}
        series={accountSeries}
        bars
        rows={accountSeries.map((s) => s.values)}
        granularity={data.granularity}
      />

      <section className="console-section card" aria-labelledby="payments-title">
        <h2 id="payments-title">{o.payments.title}</h2>
        <DataTable
          variant="stack"
          empty={o.payments.none}
          rows={groups}
          rowKey={(g) => `${g.method}-${g.status}-${g.currency}`}
          columns={[
            { label: o.payments.method, cell: (g) => g.method },
            { label: o.payments.status, cell: (g) => g.status },
            { label: o.payments.count, numeric: true, cell: (g) => count(g.payments) },
            { label: o.payments.amount, numeric: true, cell: (g) => minor(g.amountMinor, g.currency) },
            { label: o.payments.credits, numeric: true, cell: (g) => count(g.credits) },
            { label: o.payments.refunded, numeric: true, cell: (g) => minor(g.refundedMinor, g.currency) },
          ]}
        />
      </section>

      <section className="console-section card" aria-labelledby="balances-title">
        <h2 id="balances-title">{o.balances.title}</h2>
        {lowBalances > 0 && <p className="notice notice--warning">{o.balances.lowCount(lowBalances)}</p>}
        <DataTable
          variant="stack"
          empty={o.balances.none}
          rows={data.balances}
          rowKey={(b) => b.provider}
          rowClass={(b) => (b.low ? 'is-alert' : undefined)}
          columns={[
            { label: o.balances.provider, cell: (b) => b.provider },
            {
              label: o.balances.balance,
              numeric: true,
              cell: (b) => (b.balanceMicros === null ? o.balances.unknown : micros(b.balanceMicros, b.currency)),
            },
            { label: o.balances.threshold, numeric: true, cell: (b) => micros(b.lowBalanceMicros, b.currency) },
            { label: o.balances.asOf, cell: (b) => (b.balanceAt ? moment(b.balanceAt) : o.balances.unknown) },
            {
              label: o.balances.status,
              cell: (b) => (
                <span className={`badge ${b.low ? 'badge--failed' : 'badge--completed'}`}>{b.low ? o.balances.low : o.balances.ok}</span>
              ),
            },
          ]}
        />
      </section>
    </>
  );
}

/**
 * The business at a glance (ADR 33), for a period, live: the staff event stream says when the figures
 * changed, and the page reads them again (at most once every `refreshMinMs`), without a reload.
 */
export function OverviewPage({ refreshMinMs = 5000 }: { refreshMinMs?: number }) {
  const [range, setRange] = useState<RangeKey>('24h');
  const [data, setData] = useState<(OverviewData & { loadedAt: string }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const rangeRef = useRef(range);
  const latest = useRef(0);
  const lastLoad = useRef(Number.NEGATIVE_INFINITY);
  const timer = useRef<number | undefined>(undefined);

  const load = useCallback(async () => {
    const ticket = ++latest.current;
    lastLoad.current = performance.now();
    const { hours, granularity } = RANGES[rangeRef.current];
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3_600_000);
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), granularity });
    try {
      const overview = await api<OverviewData>(`/admin/overview?${query}`);
      if (ticket !== latest.current) return;
      setData({ ...overview, loadedAt: new Date().toISOString() });
      setError(null);
    } catch (cause) {
      if (ticket === latest.current) setError(errorText(cause));
    }
  }, []);

  // A change on the stream: read again, at most once every refreshMinMs.
  const schedule = useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, lastLoad.current + refreshMinMs - performance.now());
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      void load();
    }, wait);
  }, [load, refreshMinMs]);

  useEffect(() => {
    rangeRef.current = range;
    void load();
  }, [range, load]);

  useEffect(() => {
    let opened = false;
    const connection = openLiveEvents({
      url: `${API}/admin/events`,
      headers: () => ({}),
      onEvent: (event) => {
        if (event === 'stats.updated') schedule();
      },
      // A reconnection may have missed changes; the first connection follows the first read.
      onOpen: () => {
        if (opened) schedule();
        opened = true;
      },
      onState: setLive,
      // The staff session ended: asking who is signed in lets the console's session notice and show sign-in.
      onUnauthorized: () => {
        setLive('stopped');
        api('/me').catch(() => undefined);
      },
    });
    return () => {
      connection.close();
      window.clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [schedule]);

  return (
    <div className="overview">
      <h1 tabIndex={-1}>{o.title}</h1>
      <div className="overview__controls">
        <fieldset className="segmented">
          <legend className="visually-hidden">{o.range}</legend>
          {(Object.keys(RANGES) as RangeKey[]).map((key) => (
            <button
              key={key}
              type="button"
              className="button button--secondary button--small"
              aria-pressed={range === key}
              onClick={() => setRange(key)}
            >
              {o.ranges[key]}
            </button>
          ))}
        </fieldset>
        <p className={`live live--${live}`} data-live={live}>
          <span className="live__dot" aria-hidden="true" />
          {live === 'open' ? o.live.open : live === 'connecting' ? o.live.connecting : o.live.retrying}
        </p>
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {data ? (
        <>
          <p className="muted">{o.updatedAt(moment(data.loadedAt))}</p>
          <Figures data={data} />
        </>
      ) : (
        !error && <p className="loading">{o.loading}</p>
      )}
    </div>
  );
}
