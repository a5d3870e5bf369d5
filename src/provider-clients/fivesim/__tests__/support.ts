import { expect, onTestFinished } from 'vitest';
import { type FakeFivesim, type FakeFivesimOptions, startFakeFivesim } from '../../../../test/fakes/fivesim-server.ts';
import type { FailureKind, ProviderFailure, Result } from '../../port.ts';
import { type FivesimOptions, FivesimProvider } from '../provider.ts';

/** A fake 5sim for one test, with a clock the test moves, closed when the test ends. */
export async function fakeFivesim(options: FakeFivesimOptions = {}) {
  const clock = { ms: Date.parse('2026-03-01T10:00:00.000Z') };
  const fake = await startFakeFivesim({ now: () => clock.ms, ...options });
  onTestFinished(() => fake.close());
  return { fake, clock };
}

export function adapterFor(fake: FakeFivesim, options: Partial<FivesimOptions> = {}): FivesimProvider {
  return new FivesimProvider({ name: '5sim-test', apiKey: fake.token, baseUrl: fake.baseUrl, currency: 'USD', ...options });
}

export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.kind}: ${result.failure.message}`);
  return result.value;
}

/** The failure of a result, checked to be of `kind` and to keep the token out of its message. */
export function failure<T>(result: Result<T>, kind: FailureKind, token: string): ProviderFailure {
  if (result.ok) throw new Error(`expected a ${kind} failure, got success: ${JSON.stringify(result.value)}`);
  expect(result.failure.kind, result.failure.message).toBe(kind);
  expect(result.failure.message).not.toContain(token);
  return result.failure;
}
