import { and, asc, eq, isNull, type SQL } from 'drizzle-orm';
import { auditLog, catalogRules } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { announceCatalogChange } from './changes.ts';
import { countryByCode } from './countries.ts';
import type { CatalogRule } from './pricing.ts';
import { serviceByCode } from './services.ts';

/** What a rule applies to: a service everywhere, a country for every service, or one pair. */
export interface RuleTarget {
  service?: string;
  country?: string;
}

/** A change to the rule of a target: what is absent stays as it was; `null` clears that part. */
export interface RuleChange {
  disabled?: boolean;
  /** A fixed selling price in credits. */
  priceCredits?: number | null;
  /** A markup replacing the providers', in hundredths of a percent. */
  markupBasisPoints?: number | null;
}

export const MAX_FIXED_PRICE = 1_000_000;
/** The same bounds as a provider's markup: −50 % to +1000 %. */
export const MARKUP_BOUNDS = { min: -5_000, max: 100_000 } as const;

export interface ResolvedTarget {
  scope: CatalogRule['scope'];
  service: string | null;
  country: string | null;
  /** "Telegram", "Indonesia", "Telegram in Indonesia". */
  label: string;
}

/** Check a target against the services and countries otpbox knows; names it for messages. */
export function resolveTarget(target: RuleTarget): ResolvedTarget {
  const serviceCode = target.service?.trim().toLowerCase();
  const countryCode = target.country?.trim().toUpperCase();
  if (!serviceCode && !countryCode) throw invalid('name a --service, a --country, or both (one pair)');
  const service = serviceCode ? serviceByCode(serviceCode) : undefined;
  if (serviceCode && !service) throw invalid(`there is no service with the code "${target.service}" (see GET /api/v1/services)`);
  const country = countryCode ? countryByCode(countryCode) : undefined;
  if (countryCode && !country) throw invalid(`"${target.country}" is not an ISO 3166 alpha-2 country code we know (e.g. US, GB, ID)`);
  if (service && country)
    return { scope: 'pair', service: service.code, country: country.code, label: `${service.name} in ${country.name}` };
  if (service) return { scope: 'service', service: service.code, country: null, label: service.name };
  // biome-ignore lint/style/noNonNullAssertion: one of the two is set (checked above)
  return { scope: 'country', service: null, country: country!.code, label: country!.name };
}

const matches = (target: ResolvedTarget): SQL | undefined =>
  and(
    eq(catalogRules.scope, target.scope),
    target.service === null ? isNull(catalogRules.service) : eq(catalogRules.service, target.service),
    target.country === null ? isNull(catalogRules.country) : eq(catalogRules.country, target.country),
  );

/**
 * Change the operator's rule for a target (disable or enable it, fix its price, replace its markup),
 * audited and announced in one transaction, so every instance reprices at once. A rule left with
 * nothing to say is deleted. Returns the rule as it now stands (undefined when deleted).
 */
export async function changeCatalogRule(
  ctx: Ctx,
  target: RuleTarget,
  change: RuleChange,
  /** Why (the console asks staff for one; kept in the audit row). */
  reason?: string,
): Promise<{ target: ResolvedTarget; rule: CatalogRule | undefined }> {
  const resolved = resolveTarget(target);
  if (change.disabled === undefined && change.priceCredits === undefined && change.markupBasisPoints === undefined)
    throw invalid('say what to change: disabled, a fixed price or a markup');
  if (change.priceCredits !== undefined && change.priceCredits !== null) {
    const price = change.priceCredits;
    if (!Number.isSafeInteger(price) || price < 1 || price > MAX_FIXED_PRICE)
      throw invalid(`a fixed price must be a whole number of credits from 1 to ${MAX_FIXED_PRICE}`);
  }
  if (change.markupBasisPoints !== undefined && change.markupBasisPoints !== null) {
    const markup = change.markupBasisPoints;
    if (!Number.isSafeInteger(markup) || markup < MARKUP_BOUNDS.min || markup > MARKUP_BOUNDS.max)
      throw invalid('a markup must be a percentage from -50 to 1000 with at most two decimals (e.g. 25 or 12.5)');
  }
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [existing] = await tx.select().from(catalogRules).where(matches(resolved)).for('update');
    const next = {
      disabled: change.disabled ?? existing?.disabled ?? false,
      priceCredits: change.priceCredits !== undefined ? change.priceCredits : (existing?.priceCredits ?? null),
      markupBasisPoints: change.markupBasisPoints !== undefined ? change.markupBasisPoints : (existing?.markupBasisPoints ?? null),
    };
    const empty = !next.disabled && next.priceCredits === null && next.markupBasisPoints === null;
    let rule: CatalogRule | undefined;
    if (existing && empty) await tx.delete(catalogRules).where(eq(catalogRules.id, existing.id));
    else if (existing) [rule] = await tx.update(catalogRules).set(next).where(eq(catalogRules.id, existing.id)).returning();
    else if (!empty)
      [rule] = await tx
        .insert(catalogRules)
        .values({
          id: newId('rul', now.getTime()),
          scope: resolved.scope,
          service: resolved.service,
          country: resolved.country,
          ...next,
          createdAt: now,
        })
        .returning();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'catalog.rule',
      details: {
        scope: resolved.scope,
        service: resolved.service,
        country: resolved.country,
        change,
        before: existing ?? null,
        ...(reason ? { reason } : {}),
      },
      occurredAt: now,
    });
    await announceCatalogChange(tx, 'rules');
    return { target: resolved, rule };
  });
}

/** Every rule, services first, then countries, then pairs. */
export async function listCatalogRules(db: Ctx['db']): Promise<CatalogRule[]> {
  const rows = await db.select().from(catalogRules).orderBy(asc(catalogRules.scope), asc(catalogRules.service), asc(catalogRules.country));
  const order = { service: 0, country: 1, pair: 2 } as const;
  return rows.sort((a, b) => order[a.scope] - order[b.scope]);
}

function invalid(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message);
}
