import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, inArray } from 'drizzle-orm';
import { activations, auditLog, providers, providerTasks } from '../../db/schema/index.ts';
import { PROVIDER_KINDS, type UpstreamKind } from '../../db/schema/providers.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { seal } from '../../lib/sealed.ts';
import { OPEN_STATUSES } from '../activations/index.ts';
import { announceCatalogChange, percentToBasisPoints } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import type { ProviderRow } from './adapters.ts';

export const PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Names otpbox uses itself. */
const RESERVED_NAMES = new Set(['sandbox', 'all', 'any', 'pool']);

export const DEFAULT_BASE_URLS: Partial<Record<UpstreamKind, string>> = { '5sim': 'https://5sim.net/v1' };

export interface AddProviderInput {
  kind: string;
  name: string;
  baseUrl?: string;
  apiKey: string;
  priority?: number;
  /** Percent as typed: "25", "12.5". */
  markupPercent?: string;
  feeCredits?: number;
  /** ISO 4217 code of the provider's amounts (default USD). */
  currency?: string;
  /** Credits per unit of `currency` as a decimal ("1.1"); required unless the currency is USD. */
  creditsPerUnit?: string;
  /** Warn when our balance at the provider falls below this (provider currency, decimal). */
  lowBalance?: string;
  /** Why (the console asks staff for one; kept in the audit row). */
  reason?: string;
}

export interface AddedProvider {
  provider: ProviderRow;
  /** The secret of the push URL, shown once (stored hashed). */
  pushToken: string;
  /** `/webhooks/providers/{name}?token=…`, to give the provider when it pushes SMS. */
  pushPath: string;
  /** Why the configuration may not work as typed (plain http, …); saved anyway. */
  warnings: string[];
}

export const hashPushToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Configure an upstream provider: validated, the API key sealed with a key derived from SECRET_KEY,
 * audited, and announced so that running instances load it and sync its catalog at once.
 */
export async function addProvider(ctx: Ctx, input: AddProviderInput): Promise<AddedProvider> {
  const warnings: string[] = [];
  const addable = PROVIDER_KINDS.filter((kind) => kind !== 'pool');
  if (!(PROVIDER_KINDS as readonly string[]).includes(input.kind))
    throw invalid(`--kind must be one of: ${addable.join(', ')} (got "${input.kind}")`);
  const kind = input.kind as UpstreamKind;
  if (kind === 'pool')
    throw invalid('the pool of own numbers is not added as a provider: `otpbox gateways add` creates it (see "Own numbers" in the README)');
  const name = input.name.trim();
  if (!PROVIDER_NAME.test(name))
    throw invalid(`--name must be 1–40 lower-case letters, digits and dashes, starting with a letter or digit (got "${input.name}")`);
  if (RESERVED_NAMES.has(name)) throw invalid(`"${name}" is reserved; choose another --name`);
  const baseUrl = checkBaseUrl(input.baseUrl ?? DEFAULT_BASE_URLS[kind], kind, warnings);
  const apiKey = input.apiKey.trim();
  // Printable ASCII only: keys are tokens, and anything else is a paste gone wrong.
  if (!/^[\x21-\x7e]{1,1024}$/.test(apiKey))
    throw invalid('--api-key must be the key as the provider shows it: 1–1024 characters, no spaces or control characters');
  const priority = input.priority ?? 100;
  if (!Number.isSafeInteger(priority) || priority < 0 || priority > 10_000)
    throw invalid('--priority must be a whole number from 0 to 10000');
  const markup = input.markupPercent === undefined ? 0 : percentToBasisPoints(input.markupPercent);
  if (markup === undefined || markup < -5_000 || markup > 100_000)
    throw invalid('--markup-percent must be a percentage from -50 to 1000 with at most two decimals (e.g. 25 or 12.5)');
  const fee = input.feeCredits ?? 0;
  if (!Number.isSafeInteger(fee) || fee < 0 || fee > 1_000_000) throw invalid('--fee must be a whole number of credits from 0 to 1000000');
  const currency = (input.currency ?? 'USD').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid(`--currency must be an ISO 4217 code such as USD or RUB (got "${input.currency}")`);
  let creditsPerUnitMicros: number | null = null;
  if (input.creditsPerUnit !== undefined) {
    creditsPerUnitMicros = decimalMillionths(input.creditsPerUnit) ?? null;
    if (!creditsPerUnitMicros) throw invalid('--credits-per-unit must be a positive decimal (credits one unit of the currency is worth)');
  } else if (currency !== 'USD') {
    throw invalid(
      `--credits-per-unit is required for a ${currency} provider: how many credits one ${currency} is worth (CREDITS_PER_USD covers USD only)`,
    );
  }
  const lowBalanceMicros = input.lowBalance === undefined ? 5_000_000 : decimalMillionths(input.lowBalance);
  if (lowBalanceMicros === undefined) throw invalid('--low-balance must be a non-negative decimal amount in the provider currency');

  const pushToken = `pst_${randomBytes(24).toString('base64url')}`;
  const provider = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [existing] = await tx.select().from(providers).where(eq(providers.name, name)).for('update');
    if (existing && !existing.removedAt)
      throw new DomainError(
        'CONFLICT',
        `A provider named "${name}" already exists. Remove it first (otpbox providers remove ${name}) or choose another name.`,
      );
    if (existing) {
      const open = await openWork(tx, name);
      if (open > 0)
        throw new DomainError(
          'CONFLICT',
          `The removed provider "${name}" still has ${open} open order(s) or pending call(s); they end within ${Math.ceil(ctx.config.activationTtlS / 60)} minutes. Use another name, or add it again then.`,
        );
      await tx.delete(providers).where(eq(providers.id, existing.id));
    }
    const id = newId('prv', now.getTime());
    const [row] = await tx
      .insert(providers)
      .values({
        id,
        name,
        kind,
        baseUrl,
        apiKeyEncrypted: seal(ctx.keys, 'provider-credentials', id, apiKey),
        currency,
        creditsPerUnitMicros,
        priority,
        markupBasisPoints: markup,
        feeCredits: fee,
        enabled: true,
        pushTokenHash: hashPushToken(pushToken),
        lowBalanceMicros,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'provider.add',
      details: {
        providerId: id,
        name,
        kind,
        baseUrl,
        priority,
        markupBasisPoints: markup,
        feeCredits: fee,
        currency,
        ...(input.reason ? { reason: input.reason } : {}),
      },
      occurredAt: now,
    });
    await announceCatalogChange(tx, 'providers');
    return row as ProviderRow;
  });
  return { provider, pushToken, pushPath: `/webhooks/providers/${name}?token=${pushToken}`, warnings };
}

/** Open orders sold by a provider, and calls still owed to it. */
export async function openWork(db: Ctx['db'], name: string): Promise<number> {
  const [orders] = await db
    .select({ n: count() })
    .from(activations)
    .where(and(eq(activations.provider, name), inArray(activations.status, [...OPEN_STATUSES])));
  const [tasks] = await db
    .select({ n: count() })
    .from(providerTasks)
    .where(and(eq(providerTasks.provider, name), eq(providerTasks.status, 'pending')));
  return Number(orders?.n ?? 0) + Number(tasks?.n ?? 0);
}

function checkBaseUrl(raw: string | undefined, kind: UpstreamKind, warnings: string[]): string {
  if (!raw) throw invalid(`--base-url is required for ${kind} providers (see the README for the common ones)`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid(`--base-url is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`--base-url must be an https:// URL (or http://, which sends the key unencrypted), not ${url.protocol}//`);
  if (url.username || url.password) throw invalid('--base-url must not contain a user name or password; pass the key with --api-key');
  if ([...url.searchParams.keys()].some((key) => /key|token/i.test(key)))
    throw invalid('--base-url must not carry the API key; pass it with --api-key, so that it is stored encrypted');
  if (url.search || url.hash) throw invalid('--base-url must not have a query string or fragment');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback)
    warnings.push(
      `${url.host} is reached over plain http: the API key crosses the network unencrypted. Use https:// if the provider offers it.`,
    );
  return url.toString().replace(/\/+$/, '');
}

/** "1.1" → 1_100_000 (millionths); undefined unless a non-negative decimal with at most 6 decimals. */
function decimalMillionths(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message);
