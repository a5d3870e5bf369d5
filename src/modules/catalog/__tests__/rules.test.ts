import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../../test/support/providers.ts';
import { auditLog, catalogRules } from '../../../db/schema/index.ts';
import { isDomainError } from '../../../lib/errors.ts';
import { changeCatalogRule, listCatalogRules, type RuleChange, type RuleTarget } from '../rules.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function app(): Promise<TestApp> {
  const t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
  open.push(t);
  return t;
}

/** Change a rule the way `otpbox catalog …` does, then reload as every instance does on the NOTIFY. */
async function rule(t: TestApp, target: RuleTarget, change: RuleChange) {
  const changed = await changeCatalogRule(ctxOf(t, 'cli'), target, change);
  await t.orders.providers.reload('rules');
  return changed;
}

const getJson = async (t: TestApp, url: string) => (await t.app.inject({ method: 'GET', url })).json();
const priceOf = async (t: TestApp, service: string, country: string) =>
  (await getJson(t, `/api/v1/prices?service=${service}&country=${country}`)).prices[0]?.price as number | undefined;

describe('catalog rules', () => {
  it('disables a service, a country or one pair: hidden from the listings, never sold, and sold again once enabled', async () => {
    const t = await app();
    const user = await fundedActor(t, 10_000);
    const a = api(t, user);
    const codes = async (url: string, key: 'services' | 'countries') =>
      ((await getJson(t, url))[key] as { code: string }[]).map((item) => item.code);
    expect(await codes('/api/v1/services', 'services')).toContain('wa');

    await rule(t, { service: 'wa' }, { disabled: true });
    expect(await codes('/api/v1/services', 'services')).not.toContain('wa');
    expect(await codes('/api/v1/services?q=whats', 'services')).toEqual([]);
    expect((await getJson(t, '/api/v1/prices?service=wa')).prices).toEqual([]);
    const refused = await a.order({ service: 'wa', country: 'ID' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'NO_NUMBERS',
      message: 'WhatsApp numbers in Indonesia are not sold here. Nothing was charged.',
    });
    expect(await a.balance()).toEqual({ available: 10_000, held: 0 });

    await rule(t, { country: 'ID' }, { disabled: true });
    expect(await codes('/api/v1/countries', 'countries')).not.toContain('ID');
    expect(await priceOf(t, 'tg', 'ID')).toBeUndefined();
    expect((await a.order({ service: 'tg', country: 'ID' })).json().error.code).toBe('NO_NUMBERS');
    // Telegram in the US is untouched by both rules.
    expect((await a.order({ service: 'tg', country: 'US' })).statusCode).toBe(201);

    await rule(t, { service: 'tg', country: 'US' }, { disabled: true });
    expect(await codes('/api/v1/services', 'services')).toContain('tg'); // a pair hides neither the service nor the country
    expect(await codes('/api/v1/countries', 'countries')).toContain('US');
    expect(await priceOf(t, 'tg', 'US')).toBeUndefined();
    const countriesForTg = (await getJson(t, '/api/v1/countries?service=tg')).countries as { code: string; available: number }[];
    expect(countriesForTg.find((c) => c.code === 'US')).toMatchObject({ available: 0 });

    // Enabling removes what disabling added: no empty rule is left behind.
    await rule(t, { service: 'wa' }, { disabled: false });
    await rule(t, { country: 'ID' }, { disabled: false });
    await rule(t, { service: 'tg', country: 'US' }, { disabled: false });
    expect(await listCatalogRules(t.database.db)).toEqual([]);
    expect(await codes('/api/v1/services', 'services')).toContain('wa');
    expect((await a.order({ service: 'wa', country: 'ID' })).statusCode).toBe(201);

    const audited = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'catalog.rule'));
    expect(audited).toHaveLength(6);
    expect(audited[0]).toMatchObject({
      actor: 'cli',
      details: { scope: 'service', service: 'wa', country: null, change: { disabled: true } },
    });
  });

  it('fixes prices and markups, the most specific rule winning, on top of the provider’s terms', async () => {
    const t = await app();
    const upstream = await connectSmsActivate(t, 'alpha', {
      markupPercent: '20',
      prices: [
        { country: 187, service: 'tg', cost: '0.50', count: 10 },
        { country: 6, service: 'tg', cost: '0.30', count: 10 },
        { country: 187, service: 'wa', cost: '1.00', count: 10 },
      ],
    });
    open.push(upstream);
    // $0.50 × 100 credits × 1.20 = 60; $0.30 → 36; $1.00 → 120.
    expect([await priceOf(t, 'tg', 'US'), await priceOf(t, 'tg', 'ID'), await priceOf(t, 'wa', 'US')]).toEqual([60, 36, 120]);

    await rule(t, { country: 'US' }, { markupBasisPoints: 5_000 }); // +50 % in the US
    expect([await priceOf(t, 'tg', 'US'), await priceOf(t, 'tg', 'ID'), await priceOf(t, 'wa', 'US')]).toEqual([75, 36, 150]);

    await rule(t, { service: 'tg' }, { markupBasisPoints: 0 }); // Telegram at cost everywhere: the service rule beats the country's
    expect([await priceOf(t, 'tg', 'US'), await priceOf(t, 'tg', 'ID'), await priceOf(t, 'wa', 'US')]).toEqual([50, 30, 150]);

    await rule(t, { service: 'tg', country: 'US' }, { priceCredits: 99 }); // one pair at a fixed price
    expect([await priceOf(t, 'tg', 'US'), await priceOf(t, 'tg', 'ID'), await priceOf(t, 'wa', 'US')]).toEqual([99, 30, 150]);

    // The order is held and charged at the price shown.
    const user = await fundedActor(t, 1_000);
    const ordered = await api(t, user).order({ service: 'tg', country: 'US' });
    expect(ordered.statusCode).toBe(201);
    expect(ordered.json()).toMatchObject({ price: 99 });
    expect(await api(t, user).balance()).toEqual({ available: 901, held: 99 });

    // Clearing a part keeps the rest of the rule; clearing everything deletes it.
    await rule(t, { service: 'tg', country: 'US' }, { priceCredits: null });
    expect(await priceOf(t, 'tg', 'US')).toBe(50);
    expect((await listCatalogRules(t.database.db)).map((r) => [r.scope, r.service, r.country, r.markupBasisPoints])).toEqual([
      ['service', 'tg', null, 0],
      ['country', null, 'US', 5_000],
    ]);
  });

  it('refuses what it cannot apply, with a reason, and changes nothing', async () => {
    const t = await app();
    const reasons: string[] = [];
    const attempt = async (target: RuleTarget, change: RuleChange) => {
      try {
        await changeCatalogRule(ctxOf(t, 'cli'), target, change);
        reasons.push('accepted');
      } catch (error) {
        if (!isDomainError(error)) throw error;
        expect(error.code).toBe('VALIDATION_FAILED');
        reasons.push(error.message);
      }
    };
    await attempt({}, { disabled: true });
    await attempt({ service: 'nope' }, { disabled: true });
    await attempt({ country: 'XX' }, { disabled: true });
    await attempt({ country: 'USA' }, { disabled: true });
    await attempt({ service: 'tg' }, { priceCredits: 0 });
    await attempt({ service: 'tg' }, { priceCredits: 2.5 });
    await attempt({ service: 'tg' }, { markupBasisPoints: -6_000 });
    await attempt({ service: 'tg' }, {});
    expect(reasons).toEqual([
      'name a --service, a --country, or both (one pair)',
      'there is no service with the code "nope" (see GET /api/v1/services)',
      '"XX" is not an ISO 3166 alpha-2 country code we know (e.g. US, GB, ID)',
      '"USA" is not an ISO 3166 alpha-2 country code we know (e.g. US, GB, ID)',
      'a fixed price must be a whole number of credits from 1 to 1000000',
      'a fixed price must be a whole number of credits from 1 to 1000000',
      'a markup must be a percentage from -50 to 1000 with at most two decimals (e.g. 25 or 12.5)',
      'say what to change: disabled, a fixed price or a markup',
    ]);
    expect(await t.database.db.select().from(catalogRules)).toEqual([]);
    // Codes are normalised: " TG " and "id" name Telegram and Indonesia.
    const { target } = await changeCatalogRule(ctxOf(t, 'cli'), { service: ' TG ', country: 'id' }, { disabled: true });
    expect(target).toEqual({ scope: 'pair', service: 'tg', country: 'ID', label: 'Telegram in Indonesia' });
  });

  it('reaches the running catalog through the NOTIFY, without a restart', async () => {
    const t = await app();
    expect(await priceOf(t, 'tg', 'ID')).toBeGreaterThan(0);
    await changeCatalogRule(ctxOf(t, 'cli'), { service: 'tg', country: 'ID' }, { priceCredits: 7 });
    const deadline = Date.now() + 5_000;
    while ((await priceOf(t, 'tg', 'ID')) !== 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await priceOf(t, 'tg', 'ID')).toBe(7);
  });
});
