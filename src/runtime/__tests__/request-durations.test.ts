import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurations } from '../request-durations.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('RequestDurations', () => {
  it("exports exactly what prom-client's Histogram exports for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: 'otpbox' });
    const durations = new RequestDurations('http_seconds', 'HTTP latency', BUCKETS, ours);
    const reference = new Histogram({
      name: 'http_seconds',
      help: 'HTTP latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const observations: [string, string, number, number][] = [
      ['GET', '/api/v1/activations/:id', 200, 0.0004],
      ['GET', '/api/v1/activations/:id', 200, 0.001],
      ['GET', '/api/v1/activations/:id', 200, 0.05],
      ['GET', '/api/v1/activations/:id', 404, 0.002],
      ['POST', '/api/v1/activations', 201, 0.3],
      ['POST', '/api/v1/activations', 201, 7],
      ['GET', 'a "quoted" \\ route', 500, 1],
      // A series first seen after others keeps its place; an unusual method is a series of its own.
      ['GET', '/api/v1/activations/:id', 304, 0.002],
      ['PROPFIND', 'unmatched', 404, 0.003],
      ['PROPFIND', 'unmatched', 404, 0.02],
      ['GET', 'unmatched', 404, 0.004],
    ];
    for (const [method, route, status, seconds] of observations) {
      durations.observe(method, route, status, seconds);
      reference.observe({ method, route, status_code: String(status) }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(
      'http_seconds_bucket{le="0.001",service="otpbox",method="GET",route="/api/v1/activations/:id",status_code="200"} 2',
    );
  });

  it('counts a value equal to a bound in that bound, and one above every bound only in +Inf', async () => {
    const registry = new Registry();
    const durations = new RequestDurations('d', 'h', BUCKETS, registry);
    durations.observe('GET', '/x', 200, 0.1);
    durations.observe('GET', '/x', 200, 3);
    const text = await registry.metrics();
    expect(text).toContain('d_bucket{le="0.01",method="GET",route="/x",status_code="200"} 0');
    expect(text).toContain('d_bucket{le="0.1",method="GET",route="/x",status_code="200"} 1');
    expect(text).toContain('d_bucket{le="1",method="GET",route="/x",status_code="200"} 1');
    expect(text).toContain('d_bucket{le="+Inf",method="GET",route="/x",status_code="200"} 2');
    expect(text).toContain('d_sum{method="GET",route="/x",status_code="200"} 3.1');
    expect(text).toContain('d_count{method="GET",route="/x",status_code="200"} 2');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('d_count');
  });

  it('refuses bounds that do not increase', () => {
    expect(() => new RequestDurations('d', 'h', [0.1, 0.1], new Registry())).toThrow(/increase/);
  });
});
