import { describe, expect, it } from 'vitest';
import type { Offer } from '../../../provider-clients/port.ts';
import { generator } from '../../../provider-clients/sandbox/sequence.ts';
import { countOffers, type SellableNumber } from '../sellable.ts';

/** The offers as the definition says them: every number, every service it may be sold for, one at a time. */
function byDefinition(
  numbers: readonly SellableNumber[],
  used: readonly { numberId: string; service: string }[],
  every: readonly string[],
) {
  const sold = new Set(used.map((use) => `${use.numberId}:${use.service}`));
  const offers = new Map<string, Offer>();
  for (const number of numbers)
    for (const service of number.services ?? every) {
      if (sold.has(`${number.id}:${service}`)) continue;
      const offer = offers.get(`${service}:${number.country}`);
      if (!offer) offers.set(`${service}:${number.country}`, { service, country: number.country, cost: number.cost, count: 1 });
      else {
        offer.count++;
        offer.cost = Math.min(offer.cost, number.cost);
      }
    }
  return [...offers.values()].sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
}

describe('countOffers: the pool’s stock without a step per number and service', () => {
  const every = ['tg', 'wa', 'go', 'fb', 'ig'];

  it('counts a number without a list for every service but those it was sold for lately, at the cheapest cost left', () => {
    const numbers: SellableNumber[] = [
      { id: 'a', country: 'ID', services: null, cost: 10 },
      { id: 'b', country: 'ID', services: null, cost: 20 },
      { id: 'c', country: 'ID', services: ['tg'], cost: 5 },
      { id: 'd', country: 'RU', services: null, cost: 30 },
    ];
    const used = [
      { numberId: 'a', service: 'tg' },
      { numberId: 'a', service: 'wa' },
      { numberId: 'b', service: 'wa' },
      { numberId: 'd', service: 'go' },
    ];
    const offers = countOffers(numbers, used, ['tg', 'wa', 'go']);
    expect(offers).toEqual([
      { service: 'go', country: 'ID', cost: 10, count: 2 },
      { service: 'tg', country: 'ID', cost: 5, count: 2 },
      { service: 'tg', country: 'RU', cost: 30, count: 1 },
      { service: 'wa', country: 'RU', cost: 30, count: 1 },
    ]);
  });

  it('agrees with the definition on 300 random pools (lists, ties in cost, services sold, services outside the catalog)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      // Seeded (the sandbox's mulberry32), so that a failing pool can be made again from its seed.
      const draw = generator(seed);
      const next = () => draw() / 2 ** 32;
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
      const numbers: SellableNumber[] = Array.from({ length: Math.floor(next() * 40) }, (_, i) => ({
        id: `n${i}`,
        country: pick(['ID', 'RU', 'US']),
        services: next() < 0.5 ? null : [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick([...every, 'old'])))],
        cost: pick([5, 10, 10, 20, 35]),
      }));
      const used = Array.from({ length: Math.floor(next() * 60) }, () => ({
        numberId: numbers.length ? (pick(numbers) as SellableNumber).id : 'gone',
        service: pick([...every, 'old']),
      }));
      expect(countOffers(numbers, used, every), `seed ${seed}`).toEqual(byDefinition(numbers, used, every));
    }
  });
});
