import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import { GATEWAY_CHANNEL } from '../../db/channels.ts';
import type { Executor } from '../../db/client.ts';
import { auditLog, type GatewaySettings, type GatewayState, gatewayReplays, gateways, poolNumbers } from '../../db/schema/index.ts';
import { afterCommit, transaction } from '../../db/tx.ts';
import { GATEWAY_KINDS, type GatewayKind } from '../../gateway-clients/port.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { seal, unseal } from '../../lib/sealed.ts';
import type { SecretKeys } from '../../lib/secrets.ts';
import type { Ctx } from '../context.ts';
import { ensurePoolProvider, syncPoolStock } from './stock.ts';

export type GatewayRow = typeof gateways.$inferSelect;

export const GATEWAY_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** A signed delivery older than this is refused as stale, so a replay key need not be kept longer. */
const REPLAY_KEEP_MS = 15 * 60_000;

export interface AddGatewayInput {
  kind: string;
  name: string;
  /** twilio */
  accountSid?: string;
  authToken?: string;
  apiBase?: string;
  /** smpp */
  host?: string;
  port?: string;
  systemId?: string;
  password?: string;
  bindAs?: string;
  tls?: boolean;
  alphabet?: string;
}

export interface AddedGateway {
  gateway: GatewayRow;
  /** Where the gateway posts (webhook kinds): PUBLIC_URL/webhooks/gateways/NAME. */
  webhookUrl?: string;
  /** The Android app's signing key otpbox made (shown once; stored sealed). */
  signingKey?: string;
  /** The pool provider was created by this call. */
  poolCreated: boolean;
}

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message);
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Connect one of the operator's gateways. Its secret (the Android app's signing key, made here; the
 * Twilio auth token; the SMPP password) is sealed under SECRET_KEY, bound to the row. The first
 * gateway also creates the provider `pool`. Audited; one transaction.
 */
export async function addGateway(ctx: Ctx, input: AddGatewayInput): Promise<AddedGateway> {
  if (!(GATEWAY_KINDS as readonly string[]).includes(input.kind))
    throw invalid(`--kind must be one of: ${GATEWAY_KINDS.join(', ')} (got "${input.kind}")`);
  const kind = input.kind as GatewayKind;
  const name = input.name.trim();
  if (!GATEWAY_NAME.test(name))
    throw invalid(`--name must be 1–40 lower-case letters, digits and dashes, starting with a letter or digit (got "${input.name}")`);
  const { settings, secret, signingKey } = kindOptions(kind, input);

  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [existing] = await tx
      .select({ id: gateways.id })
      .from(gateways)
      .where(and(eq(gateways.name, name), isNull(gateways.removedAt)));
    if (existing)
      throw new DomainError(
        'CONFLICT',
        `A gateway named "${name}" already exists. Remove it first (otpbox gateways remove ${name}) or choose another name.`,
      );
    const id = newId('gw', now.getTime());
    const [gateway] = await tx
      .insert(gateways)
      .values({
        id,
        name,
        kind,
        secretSealed: seal(ctx.keys, 'gateway-credentials', id, secret),
        settings,
        // Twilio has no heartbeat: it is up from the start. The others are up once heard from (the app) or bound (SMPP).
        state: kind === 'twilio' ? 'up' : 'unknown',
        createdAt: now,
      })
      .returning();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'gateway.add',
      details: { gatewayId: id, name, kind, settings: { ...settings } },
      occurredAt: now,
    });
    const poolCreated = await ensurePoolProvider(ctx, tx, now);
    await announceGatewayChange(tx, name);
    return {
      gateway: gateway as GatewayRow,
      webhookUrl: kind === 'smpp' ? undefined : `${ctx.config.publicUrl}/webhooks/gateways/${name}`,
      signingKey,
      poolCreated,
    };
  });
}

function kindOptions(kind: GatewayKind, input: AddGatewayInput): { settings: GatewaySettings; secret: string; signingKey?: string } {
  const refuse = (options: (keyof AddGatewayInput)[]) => {
    for (const option of options) if (input[option] !== undefined) throw invalid(`--${dashed(option)} does not apply to a ${kind} gateway`);
  };
  switch (kind) {
    case 'android-sms-gateway': {
      refuse(['accountSid', 'authToken', 'apiBase', 'host', 'port', 'systemId', 'password', 'bindAs', 'tls', 'alphabet']);
      const signingKey = randomBytes(24).toString('base64url');
      return { settings: {}, secret: signingKey, signingKey };
    }
    case 'twilio': {
      refuse(['host', 'port', 'systemId', 'password', 'bindAs', 'tls', 'alphabet']);
      const accountSid = input.accountSid?.trim() ?? '';
      if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid))
        throw invalid('--account-sid must be the Twilio Account SID (AC followed by 32 hexadecimal digits)');
      const authToken = input.authToken?.trim() ?? '';
      if (!PRINTABLE.test(authToken) || authToken.length < 16 || authToken.length > 128)
        throw invalid('--auth-token must be the Twilio auth token as the console shows it (16–128 characters, no spaces)');
      const settings: GatewaySettings = { accountSid };
      if (input.apiBase !== undefined) settings.apiBase = httpUrl(input.apiBase, '--api-base');
      return { settings, secret: authToken };
    }
    case 'smpp': {
      refuse(['accountSid', 'authToken', 'apiBase']);
      const host = input.host?.trim() ?? '';
      if (!/^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:]+\]?$/.test(host)) throw invalid('--host must be the SMSC host name or address');
      const port = input.port === undefined ? 2775 : Number(input.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid('--port must be a TCP port (1–65535)');
      const systemId = input.systemId?.trim() ?? '';
      if (!PRINTABLE.test(systemId) || systemId.length > 16)
        throw invalid('--system-id must be the SMPP system_id the aggregator gave (1–16 characters)');
      const password = input.password ?? '';
      if (!PRINTABLE.test(password) || password.length > 64)
        throw invalid('--password must be the SMPP password (1–64 characters, no spaces)');
      const bindAs = input.bindAs ?? 'receiver';
      if (bindAs !== 'receiver' && bindAs !== 'transceiver') throw invalid('--bind must be receiver or transceiver');
      const alphabet = input.alphabet ?? 'gsm';
      if (alphabet !== 'gsm' && alphabet !== 'latin1') throw invalid('--alphabet must be gsm or latin1');
      return { settings: { host, port, systemId, bindAs, tls: input.tls === true, alphabet }, secret: password };
    }
  }
}

const dashed = (option: string) => option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace('bind-as', 'bind');

function httpUrl(raw: string, option: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid(`${option} is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`${option} must be an https:// URL (or http://), not ${url.protocol}//`);
  if (url.username || url.password || url.search || url.hash) throw invalid(`${option} must be a plain base URL`);
  return url.toString().replace(/\/+$/, '');
}

export interface GatewayView {
  name: string;
  kind: GatewayKind;
  state: GatewayState;
  lastSeenAt: string | null;
  numbers: number;
  settings: GatewaySettings;
  createdAt: string;
}

/** The gateways in use, with their numbers counted; never the secret. */
export async function listGateways(db: Executor): Promise<GatewayView[]> {
  const rows = await db.select().from(gateways).where(isNull(gateways.removedAt)).orderBy(asc(gateways.name));
  const counts = await db
    .select({ gatewayId: poolNumbers.gatewayId, n: count() })
    .from(poolNumbers)
    .where(isNull(poolNumbers.removedAt))
    .groupBy(poolNumbers.gatewayId);
  const byGateway = new Map(counts.map((row) => [row.gatewayId, Number(row.n)]));
  return rows.map((row) => ({
    name: row.name,
    kind: row.kind,
    state: row.state,
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    numbers: byGateway.get(row.id) ?? 0,
    settings: row.settings,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** A gateway in use, by name. */
export async function findGateway(db: Executor, name: string): Promise<GatewayRow | undefined> {
  if (!GATEWAY_NAME.test(name)) return undefined;
  const [row] = await db
    .select()
    .from(gateways)
    .where(and(eq(gateways.name, name), isNull(gateways.removedAt)));
  return row;
}

/** The gateway's secret, opened in memory only (to check a signature or bind). */
export const gatewaySecret = (keys: SecretKeys, gateway: Pick<GatewayRow, 'id' | 'secretSealed'>): string =>
  unseal(keys, 'gateway-credentials', gateway.id, gateway.secretSealed);

/**
 * Stop using a gateway: refused while one of its numbers is rented (an order holds it: wait for it
 * to end, at most the order lifetime). Its numbers are removed with it (cooling ones too: a late SMS
 * of an ended order is then lost, never charged). Audited; one transaction; stock written again.
 */
export async function removeGateway(ctx: Ctx, name: string): Promise<{ numbers: number }> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [gateway] = await tx
      .select()
      .from(gateways)
      .where(and(eq(gateways.name, name), isNull(gateways.removedAt)))
      .for('update');
    if (!gateway) throw new DomainError('NOT_FOUND', `No gateway named "${name}". See \`otpbox gateways list\`.`);
    const numbers = await tx
      .select({ id: poolNumbers.id, number: poolNumbers.number, state: poolNumbers.state })
      .from(poolNumbers)
      .where(and(eq(poolNumbers.gatewayId, gateway.id), isNull(poolNumbers.removedAt)))
      .for('update');
    const rented = numbers.filter((n) => n.state === 'rented');
    if (rented.length > 0)
      throw new DomainError(
        'CONFLICT',
        `${rented.length} number(s) of "${name}" are rented (by an open order or a long-term rental); nothing was removed. Orders end within ${Math.ceil(ctx.config.activationTtlS / 60)} minutes, rentals at their end: try again then (\`otpbox numbers list --gateway ${name}\` shows their state).`,
      );
    await tx
      .update(poolNumbers)
      .set({ removedAt: now })
      .where(and(eq(poolNumbers.gatewayId, gateway.id), isNull(poolNumbers.removedAt)));
    await tx.update(gateways).set({ removedAt: now }).where(eq(gateways.id, gateway.id));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'gateway.remove',
      details: { gatewayId: gateway.id, name, numbers: numbers.length },
      occurredAt: now,
    });
    await syncPoolStock(tx, ctx.config, now);
    await announceGatewayChange(tx, name);
    return { numbers: numbers.length };
  });
}

type GatewayChangeListener = (name: string) => void;
const localGatewayListeners = new Set<GatewayChangeListener>();

/**
 * Hear, in this process, that a gateway came or went (the webhook route caches gateways and their
 * opened secrets: http/gateway-cache.ts). Other instances hear it through GATEWAY_CHANNEL.
 */
export function onLocalGatewayChange(listener: GatewayChangeListener): () => void {
  localGatewayListeners.add(listener);
  return () => localGatewayListeners.delete(listener);
}

/**
 * Every instance hears that a gateway came or went (its SMPP link starts or stops: runtime/gateway-links.ts;
 * its cached secret is forgotten). This process forgets it at once and again once the transaction has
 * committed (a read between the two may have cached the old row), as access changes do (accounts/auth-changes.ts).
 */
async function announceGatewayChange(tx: Executor, name: string): Promise<void> {
  for (const listener of localGatewayListeners) listener(name);
  afterCommit(tx, () => {
    for (const listener of localGatewayListeners) listener(name);
  });
  await tx.execute(sql`select pg_notify(${GATEWAY_CHANNEL}, ${name})`);
}

/** An SMPP gateway in use: what its link needs (the secret still sealed). */
export type SmppGatewayRow = Pick<GatewayRow, 'id' | 'name' | 'settings' | 'secretSealed' | 'state' | 'lastSeenAt'>;

/** The SMPP gateways in use, for whoever holds their links. */
export async function smppGateways(db: Executor): Promise<SmppGatewayRow[]> {
  return db
    .select({
      id: gateways.id,
      name: gateways.name,
      settings: gateways.settings,
      secretSealed: gateways.secretSealed,
      state: gateways.state,
      lastSeenAt: gateways.lastSeenAt,
    })
    .from(gateways)
    .where(and(eq(gateways.kind, 'smpp'), isNull(gateways.removedAt)))
    .orderBy(asc(gateways.name));
}

/** A gateway seen this recently and `up` is not written again: busy gateways do not contend on their row. */
const SEEN_PRECISION_MS = 30_000;

/** Whether the row, as the caller knows it, already says what `gatewaySeen` would write at `now`. */
export const seenRecently = (gateway: Pick<GatewayRow, 'state' | 'lastSeenAt'>, now: Date): boolean =>
  gateway.state === 'up' && gateway.lastSeenAt !== null && now.getTime() - gateway.lastSeenAt.getTime() < SEEN_PRECISION_MS;

/**
 * A genuine delivery or heartbeat from a gateway: last seen now, and `up` (written only when `gateway`
 * — the row as the caller last read or wrote it — was not up, or last seen more than 30 s ago).
 * Answers the state the row had when it was written (read under the row's lock, not taken from
 * `gateway`: a cached row may not know that the heartbeat job marked it down meanwhile), undefined
 * when nothing was written (a gateway back from `down` puts its numbers in stock again: the caller
 * writes the stock).
 */
export async function gatewaySeen(
  db: Executor,
  gateway: Pick<GatewayRow, 'id' | 'state' | 'lastSeenAt'>,
  now: Date,
): Promise<GatewayState | undefined> {
  if (seenRecently(gateway, now)) return undefined;
  const before = db
    .select({ id: gateways.id, state: gateways.state })
    .from(gateways)
    .where(and(eq(gateways.id, gateway.id), isNull(gateways.removedAt)))
    .for('update')
    .as('before');
  const [row] = await db
    .update(gateways)
    .set({ lastSeenAt: now, state: 'up' })
    .from(before)
    .where(eq(gateways.id, before.id))
    .returning({ state: before.state });
  return row?.state;
}

/**
 * Set a gateway's state from whoever holds its link (the SMPP link reports `bound` as `up`, a dropped
 * bind as `down`): a change is logged and the pool's stock written again. Answers whether it changed.
 */
export async function markGatewayState(ctx: Ctx, name: string, state: 'up' | 'down'): Promise<boolean> {
  const changed = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [row] = await tx
      .update(gateways)
      .set(state === 'up' ? { state, lastSeenAt: now } : { state })
      .where(and(eq(gateways.name, name), isNull(gateways.removedAt), ne(gateways.state, state)))
      .returning({ id: gateways.id });
    if (!row) return false;
    await syncPoolStock(tx, ctx.config, now);
    return true;
  });
  if (changed) logTransition(ctx, name, state);
  return changed;
}

export function logTransition(ctx: Pick<Ctx, 'log'>, gateway: string, state: GatewayState): void {
  if (state === 'down') ctx.log.warn({ gateway }, 'gateway is down: its numbers are out of stock until it is heard from again');
  else ctx.log.info({ gateway, state }, 'gateway is up: its numbers are in stock');
}

/**
 * The pool's health, every minute: an Android gateway not heard from (an SMS or a `system:ping`) for
 * GATEWAY_HEARTBEAT_MINUTES is `down` and its numbers leave the stock; a delivery brings it back.
 * Twilio has no heartbeat (always `up`); an SMPP gateway's state is its link's. Numbers done cooling
 * become `free` (they were already sellable: this puts them back in the catalog's stock). The stock
 * is written again when anything changed. Also forgets replay keys older than the stale window.
 */
export async function checkGatewayHeartbeats(ctx: Ctx, now: Date): Promise<{ down: number; cooled: number; replaysPurged: number }> {
  const cutoff = new Date(now.getTime() - ctx.config.gatewayHeartbeatMs);
  const { down, cooled } = await transaction(ctx.db, async (tx) => {
    const down = await tx
      .update(gateways)
      .set({ state: 'down' })
      .where(
        and(
          eq(gateways.kind, 'android-sms-gateway'),
          isNull(gateways.removedAt),
          ne(gateways.state, 'down'),
          lt(sql`coalesce(${gateways.lastSeenAt}, ${gateways.createdAt})`, cutoff),
        ),
      )
      .returning({ name: gateways.name });
    const cooled = await tx
      .update(poolNumbers)
      .set({ state: 'free', coolingUntil: null })
      .where(and(eq(poolNumbers.state, 'cooling'), lte(poolNumbers.coolingUntil, now)))
      .returning({ id: poolNumbers.id });
    if (down.length > 0 || cooled.length > 0) await syncPoolStock(tx, ctx.config, now);
    return { down, cooled: cooled.length };
  });
  for (const row of down) logTransition(ctx, row.name, 'down');
  const purged = await ctx.db
    .delete(gatewayReplays)
    .where(lt(gatewayReplays.seenAt, new Date(now.getTime() - REPLAY_KEEP_MS)))
    .returning({ key: gatewayReplays.replayKey });
  return { down: down.length, cooled, replaysPurged: purged.length };
}

/** Every gateway in use and whether it is up, for the `otpbox_gateway_up` gauge. */
export async function gatewayUpStates(db: Executor): Promise<{ gateway: string; up: boolean }[]> {
  const rows = await db.select({ name: gateways.name, state: gateways.state }).from(gateways).where(isNull(gateways.removedAt));
  return rows.map((row) => ({ gateway: row.name, up: row.state === 'up' }));
}
