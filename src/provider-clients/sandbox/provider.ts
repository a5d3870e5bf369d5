import { randomBytes } from 'node:crypto';
import {
  type Balance,
  type BuyRequest,
  fail,
  type Offers,
  ok,
  type ProviderPort,
  type PurchasedNumber,
  type Result,
  type UpstreamSms,
  type UpstreamStatus,
} from '../port.ts';
import { SANDBOX_OFFERS, sandboxCode, sandboxNumber, sandboxSms } from './catalog.ts';

/** A message the sandbox "receives" for one of its numbers, handed to the order logic like a provider push. */
export interface SandboxSms {
  upstreamId: string;
  text: string;
  code: string;
  messageId: string;
}

interface Rental {
  service: string;
  country: string;
  state: UpstreamStatus['state'];
  sms: UpstreamSms[];
  timers: Set<NodeJS.Timeout>;
}

/**
 * The embedded provider: fictional numbers (ranges reserved for fiction, e.g. NANP 555-01xx), a realistic
 * verification SMS after `smsDelayMs`, the catalog of a believable provider. It implements the same
 * port as real providers, so everything above it runs exactly as in production.
 *
 * SMS are timers in this process: if the process stops before one fires, that order gets no code and
 * expires with a refund — which is what happens with real providers too.
 */
export class SandboxProvider implements ProviderPort {
  readonly kind = 'sandbox' as const;
  readonly name = 'sandbox';
  readonly #rentals = new Map<string, Rental>();
  #sequence = 0;

  constructor(
    private readonly options: {
      smsDelayMs: number;
      deliver: (sms: SandboxSms) => Promise<unknown>;
      onError?: (error: unknown) => void;
    },
  ) {}

  async fetchOffers(): Promise<Result<Offers>> {
    return ok({ currency: 'USD', offers: SANDBOX_OFFERS.map((offer) => ({ ...offer })) });
  }

  async buyNumber(request: BuyRequest): Promise<Result<PurchasedNumber>> {
    const offer = SANDBOX_OFFERS.find((o) => o.service === request.service && o.country === request.country);
    if (!offer || offer.count <= 0) return fail('no_numbers', `sandbox: no ${request.service} numbers in ${request.country}`);
    if (request.maxCost !== undefined && offer.cost > request.maxCost)
      return fail('price_above_max', 'sandbox: above the maximum price', { minCost: offer.cost });
    const sequence = ++this.#sequence;
    const upstreamId = `sbx_${randomBytes(8).toString('hex')}`;
    this.#rentals.set(upstreamId, { service: request.service, country: request.country, state: 'waiting', sms: [], timers: new Set() });
    this.#scheduleSms(upstreamId, sequence);
    return ok({ upstreamId, phone: sandboxNumber(request.country, sequence), cost: offer.cost });
  }

  async checkStatus(upstreamId: string): Promise<Result<UpstreamStatus>> {
    const rental = this.#rentals.get(upstreamId);
    if (!rental) return fail('not_found', 'sandbox: unknown activation');
    return ok({ state: rental.state, sms: [...rental.sms] });
  }

  async requestAnotherSms(upstreamId: string): Promise<Result<void>> {
    const rental = this.#rentals.get(upstreamId);
    if (!rental) return fail('not_found', 'sandbox: unknown activation');
    if (rental.state !== 'received' && rental.state !== 'waiting') return fail('already_final', 'sandbox: the activation ended');
    rental.state = 'waiting';
    this.#scheduleSms(upstreamId, ++this.#sequence);
    return ok(undefined);
  }

  async finish(upstreamId: string): Promise<Result<void>> {
    return this.#end(upstreamId, 'finished');
  }

  async cancel(upstreamId: string): Promise<Result<void>> {
    return this.#end(upstreamId, 'cancelled');
  }

  async getBalance(): Promise<Result<Balance>> {
    return ok({ currency: 'USD', amount: 1_000_000_000_000 });
  }

  /** Stop every pending SMS (shutdown). */
  close(): void {
    for (const rental of this.#rentals.values()) for (const timer of rental.timers) clearTimeout(timer);
    this.#rentals.clear();
  }

  #end(upstreamId: string, state: 'finished' | 'cancelled'): Result<void> {
    const rental = this.#rentals.get(upstreamId);
    if (!rental) return fail('not_found', 'sandbox: unknown activation');
    for (const timer of rental.timers) clearTimeout(timer);
    rental.timers.clear();
    rental.state = state;
    // Forget it a little later: the order logic may still ask about it.
    setTimeout(() => this.#rentals.delete(upstreamId), 60_000).unref();
    return ok(undefined);
  }

  #scheduleSms(upstreamId: string, sequence: number): void {
    const rental = this.#rentals.get(upstreamId);
    if (!rental) return;
    const timer = setTimeout(() => {
      rental.timers.delete(timer);
      const code = sandboxCode(rental.service, sequence);
      const text = sandboxSms(rental.service, code);
      rental.sms.push({ code, text, receivedAt: new Date() });
      rental.state = 'received';
      this.options
        .deliver({ upstreamId, text, code, messageId: `${upstreamId}:${sequence}` })
        .catch((error) => this.options.onError?.(error));
    }, this.options.smsDelayMs);
    timer.unref();
    rental.timers.add(timer);
  }
}
