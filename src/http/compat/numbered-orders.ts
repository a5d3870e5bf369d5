import { DomainError } from '../../lib/errors.ts';
import { LazyLru } from '../../lib/lazy-lru.ts';
import type { OpenedOrder } from '../../modules/activations/index.ts';
import type { Ctx } from '../../modules/context.ts';
import { numberOrders, orderOfNumber } from '../../modules/order-numbers/index.ts';
import type { OrderCache } from '../order-cache.ts';

/** An order id as a compatible protocol writes it: digits only (a JSON number arrives as its digits). */
export function orderNumberOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,15}\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Orders by their numeric id, for the compatible protocols whose clients parse ids as integers
 * (SMS-Activate, ADR 29; 5sim, ADR 30). One number per order, the same in both and kept with it in
 * `order_numbers`, given the first time a protocol shows the order, wherever it was placed. A client
 * polls an order by its number many times a second: number → id is kept in memory (a number never
 * changes its order), and the order itself in the app's one OrderCache (app.ts: the REST API polls the
 * same orders), dropped on every change. Both protocols share one instance.
 */
export class NumberedOrders {
  readonly #orderIds = new LazyLru<number, string>({ max: 20_000 });
  readonly #orders: OrderCache;

  constructor(orders: OrderCache) {
    this.#orders = orders;
  }

  /** The numbers of these orders, given to those that have none yet. */
  async numbersOf(ctx: Ctx, ids: readonly string[]): Promise<Map<string, number>> {
    const numbers = await numberOrders(ctx.db, ids, ctx.clock.now());
    for (const [id, number] of numbers) this.#orderIds.cache.set(number, id);
    return numbers;
  }

  /** The number of one order (given now if it has none). */
  async numberOf(ctx: Ctx, id: string): Promise<number> {
    return (await this.numbersOf(ctx, [id])).get(id) as number;
  }

  /** The order a number names (whoever's it is: the verb given it checks that); NOT_FOUND when it names none. */
  async idOf(ctx: Ctx, number: number): Promise<string> {
    const id = this.#orderIds.made?.get(number) ?? (await orderOfNumber(ctx.db, number));
    if (id === undefined) throw new DomainError('NOT_FOUND', 'No such activation.');
    this.#orderIds.cache.set(number, id);
    return id;
  }

  /** The account's order of this number, opened, from memory when it is there (not a promise then). */
  order(ctx: Ctx, accountId: string, number: number): OpenedOrder | Promise<OpenedOrder> {
    const id = this.#orderIds.made?.get(number);
    const cached = id === undefined ? undefined : this.#orders.get(accountId, id);
    return cached ? cached.order : this.#read(ctx, accountId, number);
  }

  async #read(ctx: Ctx, accountId: string, number: number): Promise<OpenedOrder> {
    return (await this.#orders.opened(ctx, accountId, await this.idOf(ctx, number))).order;
  }
}
