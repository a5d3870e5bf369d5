import { and, asc, count, eq, gt } from 'drizzle-orm';
import { auditLog, providerOffers, providers } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { announceCatalogChange, basisPointsToPercent, percentToBasisPoints } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import type { ProviderRow } from './adapters.ts';

/** A provider as the operator sees it: its terms, health and balance; never its key or push-token hash. */
export interface ProviderView {
  id: string;
  name: string;
  kind: ProviderRow['kind'];
  baseUrl: string;
  priority: number;
  /** "25", "12.5" (percent). */
  markupPercent: string;
  feeCredits: number;
  currency: string;
  health: ProviderRow['health'];
  /** The breaker refuses calls to it now (repeated faults). */
  circuitOpen: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Our balance at the provider in its currency (decimal), as last read; null: never read. */
  balance: number | null;
  balanceAt: string | null;
  /** The per-provider threshold below which the balance is flagged low (decimal, provider currency). */
  lowBalance: number;
  balanceLow: boolean;
  /** Offers in stock. */
  offers: number;
  syncedAt: string | null;
  /** Removed: sells no more; kept until its open orders end. */
  removed: boolean;
}

const decimal = (micros: number) => micros / 1_000_000;
const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toProviderView(row: ProviderRow, offers: number): ProviderView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    priority: row.priority,
    markupPercent: basisPointsToPercent(row.markupBasisPoints),
    feeCredits: row.feeCredits,
    currency: row.currency,
    health: row.health,
    circuitOpen: row.health === 'circuit_open',
    lastError: row.lastError,
    lastErrorAt: iso(row.lastErrorAt),
    balance: row.balanceMicros === null ? null : decimal(row.balanceMicros),
    balanceAt: iso(row.balanceAt),
    lowBalance: decimal(row.lowBalanceMicros),
    balanceLow: row.balanceMicros !== null && row.balanceMicros < row.lowBalanceMicros,
    offers,
    syncedAt: iso(row.syncedAt),
    removed: row.removedAt !== null,
  };
}

/** Every provider, first tried first, with how many offers it has in stock. */
export async function listProviders(db: Ctx['db']): Promise<ProviderView[]> {
  const rows = await db.select().from(providers).orderBy(asc(providers.priority), asc(providers.name));
  const offers = await db
    .select({ providerId: providerOffers.providerId, n: count() })
    .from(providerOffers)
    .where(gt(providerOffers.count, 0))
    .groupBy(providerOffers.providerId);
  const offerCount = new Map(offers.map((row) => [row.providerId, Number(row.n)]));
  return rows.map((row) => toProviderView(row as ProviderRow, offerCount.get(row.id) ?? 0));
}

/** One provider by id; NOT_FOUND when there is none (or it was removed). */
export async function providerById(db: Ctx['db'], id: string): Promise<ProviderRow> {
  const [row] = await db.select().from(providers).where(eq(providers.id, id));
  if (!row || row.removedAt) throw new DomainError('NOT_FOUND', 'There is no such provider.');
  return row as ProviderRow;
}

/** A change to a provider's terms: what is absent stays as it was. */
export interface ProviderTermsChange {
  priority?: number;
  /** Percent as typed: "25", "12.5". */
  markupPercent?: string;
  feeCredits?: number;
  /** The low-balance threshold, a decimal in the provider's currency. */
  lowBalance?: string;
}

/**
 * Change a provider's priority, markup, fee or low-balance threshold: one transaction with its audit
 * row (the staff member's reason in it), announced so every instance reprices at once.
 */
export async function updateProviderTerms(ctx: Ctx, id: string, change: ProviderTermsChange, reason: string): Promise<ProviderView> {
  const set: Partial<Pick<ProviderRow, 'priority' | 'markupBasisPoints' | 'feeCredits' | 'lowBalanceMicros'>> = {};
  if (change.priority !== undefined) {
    if (!Number.isSafeInteger(change.priority) || change.priority < 0 || change.priority > 10_000)
      throw invalid('the priority must be a whole number from 0 to 10000');
    set.priority = change.priority;
  }
  if (change.markupPercent !== undefined) {
    const markup = percentToBasisPoints(change.markupPercent);
    if (markup === undefined || markup < -5_000 || markup > 100_000)
      throw invalid('the markup must be a percentage from -50 to 1000 with at most two decimals (e.g. 25 or 12.5)');
    set.markupBasisPoints = markup;
  }
  if (change.feeCredits !== undefined) {
    if (!Number.isSafeInteger(change.feeCredits) || change.feeCredits < 0 || change.feeCredits > 1_000_000)
      throw invalid('the fee must be a whole number of credits from 0 to 1000000');
    set.feeCredits = change.feeCredits;
  }
  if (change.lowBalance !== undefined) {
    const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(change.lowBalance.trim());
    if (!match) throw invalid('the low-balance threshold must be a non-negative decimal amount in the provider currency');
    set.lowBalanceMicros = Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
  }
  if (Object.keys(set).length === 0) throw invalid('say what to change: priority, markup, fee or low-balance threshold');
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [before] = await tx.select().from(providers).where(eq(providers.id, id)).for('update');
    if (!before || before.removedAt) throw new DomainError('NOT_FOUND', 'There is no such provider.');
    const [row] = await tx
      .update(providers)
      .set({ ...set, updatedAt: now })
      .where(eq(providers.id, id))
      .returning();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'provider.update',
      details: {
        providerId: id,
        name: before.name,
        reason,
        before: {
          priority: before.priority,
          markupBasisPoints: before.markupBasisPoints,
          feeCredits: before.feeCredits,
          lowBalanceMicros: before.lowBalanceMicros,
        },
        after: set,
      },
      occurredAt: now,
    });
    await announceCatalogChange(tx, 'providers');
    const [offers] = await tx
      .select({ n: count() })
      .from(providerOffers)
      .where(and(eq(providerOffers.providerId, id), gt(providerOffers.count, 0)));
    return toProviderView(row as ProviderRow, Number(offers?.n ?? 0));
  });
}

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message);
