import { type Fragment, params, raw, type Statement, sql, statement } from '../../db/statement.ts';

/**
 * The pool's parts of the statements an SMS on an own number runs (ADR 12: constant texts, prepared
 * once per connection): which number and lease it reached, and the lease noted as having got an SMS.
 * The inbound path (inbound-sms/statements.ts, src/db/queries/inbound-sms.sql) composes them with its
 * own rows and the order's; the rentals' SMS runs the note as a statement of its own (pool.sql).
 */

export const receiverParams = params({
  gateway: 'text',
  device: 'text',
  sim: 'int',
  number: 'text',
  at: 'timestamptz',
  startedBy: 'timestamptz',
  endedSince: 'timestamptz',
});

/**
 * The CTEs `on_device`, `candidates` and `picked`: the receiving number (one row, or none), as
 * `numberForReceiver` finds it — the Android device and SIM slot first; a device with one declared
 * number whatever slot the app names, when no number is given; else the number.
 */
export const RECEIVER_CTES = sql`on_device as (
      select id, sim from pool_numbers
      where gateway_id = ${receiverParams.gateway} and removed_at is null and device = ${receiverParams.device}),
    candidates as (
      select id, 1 as rank from on_device where sim is not distinct from ${receiverParams.sim}
      union all
      select id, 2 from on_device
      where ${receiverParams.number} is null and (sim is null or ${receiverParams.sim} is null) and (select count(*) from on_device) = 1
      union all
      select id, 3 from pool_numbers
      where ${receiverParams.number} is not null and gateway_id = ${receiverParams.gateway} and removed_at is null
        and number = ${receiverParams.number}),
    picked as (select id from candidates order by rank limit 1)`;

/**
 * A lateral subquery (to join as `l`) for the lease of `picked.id` an SMS stamped `at` belongs to,
 * locked for the message's transaction (as `leaseForMessage` locks it): the latest lease begun by `at`
 * when it still takes SMS (open, or ended at `endedSince` or later: a late SMS); only when none does,
 * the latest begun by `startedBy` (`at` plus CLOCK_SKEW_MS: a time stamp a little behind ours). A
 * late SMS of the previous buyer, stamped in its cooling, never goes to a lease begun just after.
 */
export const LATEST_LEASE = sql`(
      select * from pool_leases
      where pool_leases.number_id = picked.id and pool_leases.started_at <= ${receiverParams.startedBy}
      order by (pool_leases.started_at <= ${receiverParams.at}
                and (pool_leases.ended_at is null or pool_leases.ended_at >= ${receiverParams.endedSince})) desc,
               pool_leases.started_at desc
      limit 1
      for update)`;

/** The columns of the lease `l`, each as `lease_<column>` (read back with `rowMapper(poolLeases, 'lease_')`). */
export const LEASE_COLUMNS = raw(
  ['id', 'number_id', 'kind', 'service', 'started_at', 'ended_at', 'got_sms']
    .map((name) => `l.${name} as lease_${name}`)
    .join(',\n         '),
);

const noteParams = params({ lease: 'text', at: 'timestamptz' }, 'note');
export type NoteLeaseParam = (typeof noteParams)[keyof typeof noteParams]['name'];

/**
 * The CTEs `noted_lease` and `service_use`: the lease got an SMS (when one is named and `gate`
 * holds), and its service use stands — re-recorded (at the lease's start, or the message's time if
 * earlier) if the order had ended without one and given it back.
 */
export function noteLeaseCtes<G extends string>(gate: Fragment<G>): Fragment<NoteLeaseParam | G> {
  return sql`noted_lease as (
    update pool_leases set got_sms = true
    where id = ${noteParams.lease} and ${gate}
    returning number_id, service, started_at
  ),
  service_use as (
    insert into pool_service_uses (number_id, service, used_at, lease_id)
    select number_id, service, least(started_at, ${noteParams.at}), ${noteParams.lease} from noted_lease where service is not null
    on conflict do nothing
  )`;
}

/** The values of `noteLeaseCtes`' parameters; without a lease, nothing is written. */
export const noteLeaseValues = (leaseId: string | undefined, at: Date) => ({
  'note.lease': leaseId ?? null,
  'note.at': at.toISOString(),
});

/** The lease noted on its own (a rental's SMS, rentals/receive-sms.ts). */
export const NOTE_LEASE_SMS = statement('otpbox_pool_note_lease_sms_v2', sql`with ${noteLeaseCtes(sql`true`)} select 1`);

/** The statements of this file, for their snapshot (src/db/queries/pool.sql). */
export const POOL_STATEMENTS: readonly Statement[] = [NOTE_LEASE_SMS];
