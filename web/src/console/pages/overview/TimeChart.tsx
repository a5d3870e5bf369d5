import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: number[];
  /** A CSS colour (a custom property of the theme, as `var(--success)`, is resolved when drawing). */
  color: string;
}

export interface TimeChartProps {
  /** Bucket starts, in seconds since the epoch (UTC). */
  x: number[];
  series: ChartSeries[];
  bars?: boolean;
  height?: number;
}

const resolve = (element: HTMLElement, color: string): string => {
  const match = /^var\((--[\w-]+)\)$/.exec(color);
  return match?.[1] ? getComputedStyle(element).getPropertyValue(match[1]).trim() || '#888' : color;
};

/** Whether this browser can draw on a canvas (a test DOM cannot: the page's text alternative stands alone). */
const canDraw = (): boolean => {
  try {
    return typeof ResizeObserver !== 'undefined' && document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
};

/**
 * A time-series chart (uPlot, loaded with this module only by the console's overview). Decorative for
 * screen readers: the page gives each chart a text alternative with the same figures.
 */
export default function TimeChart({ x, series, bars = false, height = 220 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || !canDraw()) return;
    const muted = resolve(element, 'var(--muted)');
    const grid = resolve(element, 'var(--border)');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // The buckets are UTC hours and days, as the page's tables say: the axis too, wherever staff sit.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [axis, { ...axis, size: 60 }],
      series: [
        { label: 'UTC' },
        ...series.map((s) => {
          const stroke = resolve(element, s.color);
          return {
            label: s.label,
            stroke,
            width: 2,
            ...(bars ? { fill: stroke, paths: uPlot.paths.bars?.({ size: [0.8, 48] }) } : {}),
            points: { show: false },
          };
        }),
      ],
    };
    const plot = new uPlot(options, [x, ...series.map((s) => s.values)], element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, series, bars, height]);
  return <div ref={box} className="chart" aria-hidden="true" />;
}
