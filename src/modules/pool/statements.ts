import { params, raw, type Statement, sql, statement } from '../../db/statement.ts';

/**
 * The two statements an SMS on an own number runs in the pool (ADR 12: constant texts, prepared once
 * per connection, committed under src/db/queries/pool.sql): which number and lease it reached, in one
 * round trip, and the lease noted as having got an SMS, in another.
 */

export const receiverParams = params({ gateway: 'text', device: 'text', sim: 'int', number: 'text', startedBy: 'timestamptz' });
const LEASE_COLUMNS = 'l.id, l.number_id, l.kind, l.service, l.started_at, l.ended_at, l.got_sms';

/**
 * The receiving number, as `numberForReceiver` finds it (the Android device and SIM slot first; a
 * device with one declared number whatever slot the app names, when no number is given; else the
 * number), and the latest lease of that number begun by `startedBy`, locked for the message's
 * transaction (as `leaseForMessage` locks it).
 */
export const RECEIVER_LEASE = statement(
  'otpbox_pool_receiver_lease_v1',
  sql`with on_device as (
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
    picked as (select id from candidates order by rank limit 1)
  select picked.id as picked_number_id, ${raw(LEASE_COLUMNS)}
  from picked left join lateral (
    select * from pool_leases
    where pool_leases.number_id = picked.id and pool_leases.started_at <= ${receiverParams.startedBy}
    order by pool_leases.started_at desc limit 1
    for update) l on true`,
);

const noteParams = params({ lease: 'text', at: 'timestamptz' });

/**
 * The lease got an SMS, and its service use stands: re-recorded (at the lease's start, or the
 * message's time if earlier) if the order had ended without one and given it back.
 */
export const NOTE_LEASE_SMS = statement(
  'otpbox_pool_note_lease_sms_v1',
  sql`with lease as (update pool_leases set got_sms = true where id = ${noteParams.lease} returning number_id, service, started_at)
  insert into pool_service_uses (number_id, service, used_at, lease_id)
    select number_id, service, least(started_at, ${noteParams.at}), ${noteParams.lease} from lease where service is not null
  on conflict do nothing`,
);

/** The statements of this file, for their snapshot (src/db/queries/pool.sql). */
export const POOL_STATEMENTS: readonly Statement[] = [RECEIVER_LEASE, NOTE_LEASE_SMS];
