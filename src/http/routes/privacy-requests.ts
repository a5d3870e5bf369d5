import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import { DomainError } from '../../lib/errors.ts';
import { endAllAccess, setProcessingRestriction } from '../../modules/accounts/index.ts';
import {
  fileRequest,
  fileRequestByEmail,
  getOwnRequest,
  liftProcessingRestriction,
  listOwnRequests,
  listRequestQueue,
  moveRequest,
  PrivacyRequest,
  PrivacyRequestType,
  QueuedPrivacyRequest,
  type RequestDeps,
  type StaffMove,
  toQueuedView,
  toRequestView,
  verifyRequest,
  withdrawRequest,
} from '../../modules/privacy/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf, STAFF } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { AccessReason, Email, IdParam, idCursor, Limit, Prose, SecretToken } from '../schemas.ts';
import { logStaffRead } from '../staff-reads.ts';

const Details = Prose.trim().max(2000).optional().describe('What you want, in your words (at most 2,000 characters)');
/** A note staff write on a request (its reason, its outcome): the customer reads it, so prose without control characters. */
const Note = Prose.trim().min(3).max(2000);
const Accepted = z.object({ message: z.string() });

/** Per-IP limits on the two entry points that need no account (mail abuse, token guessing). */
const IP_LIMITS = {
  byEmail: { limit: 5, windowMs: 15 * 60_000 },
  verify: { limit: 30, windowMs: 15 * 60_000 },
} as const;

/** Rights requests (P11): the customer files and follows them; staff work the queue (ADR 25). */
/** A rights request is the owner's word, which staff act on (an erasure deletes the account): never an API key's. */
const REQUESTS = { what: 'File or withdraw a rights request', keyCannot: 'speak for the account' };

export const privacyRequestRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['privacy'];
  const now = () => deps.clock.now();
  const requestDeps: RequestDeps = { setProcessingRestriction, endAccess: endAllAccess };
  const limiters = {
    byEmail: deps.limits.limiter('privacy-by-email', IP_LIMITS.byEmail.limit, IP_LIMITS.byEmail.windowMs),
    verify: deps.limits.limiter('privacy-verify', IP_LIMITS.verify.limit, IP_LIMITS.verify.windowMs),
  };
  const perIp = (name: keyof typeof IP_LIMITS) => async (request: FastifyRequest) => {
    const hit = limiters[name].hit(request.ip);
    if (!hit.allowed) {
      throw new DomainError('RATE_LIMITED', 'Too many requests from your network; try again later.', {
        retryAfterSeconds: Math.ceil(hit.retryAfterMs / 1000),
      });
    }
  };

  app.post(
    '/api/v1/privacy/requests',
    {
      config: { signedInOnly: REQUESTS, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'File a rights request (access, rectification, erasure, portability, objection, restriction, withdrawal of consent)',
        description:
          'Due 30 days after it is received. One request of a type at a time: a second while one is open is refused (409). ' +
          'Staff act on a request as the owner’s word (an erasure deletes the account).',
        body: z.object({ type: PrivacyRequestType, details: Details }),
        response: { 201: PrivacyRequest },
      },
    },
    async (request, reply) => {
      const { accountId } = principalOf(request);
      const row = await fileRequest(request.ctx, { accountId, type: request.body.type, details: request.body.details });
      return reply.code(201).send(toRequestView(row, now()));
    },
  );

  app.get(
    '/api/v1/privacy/requests',
    {
      schema: {
        tags,
        summary: 'Your rights requests, newest first, with their status and due date',
        querystring: z.object({ cursor: idCursor('prq').optional(), limit: Limit }),
        response: { 200: z.object({ requests: z.array(PrivacyRequest), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const rows = await listOwnRequests(request.ctx.db, { accountId: principalOf(request).accountId, cursor, limit });
      const { items, nextCursor } = pageOf(rows, limit, (row) => row.id);
      const at = now();
      return { requests: items.map((row) => toRequestView(row, at)), nextCursor };
    },
  );

  app.get(
    '/api/v1/privacy/requests/:id',
    {
      config: { errors: ['NOT_FOUND'] },
      schema: { tags, summary: 'One of your rights requests', params: IdParam, response: { 200: PrivacyRequest } },
    },
    async (request) => toRequestView(await getOwnRequest(request.ctx.db, principalOf(request).accountId, request.params.id), now()),
  );

  app.post(
    '/api/v1/privacy/requests/:id/withdraw',
    {
      config: { signedInOnly: REQUESTS, errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Withdraw a request that is not resolved yet',
        params: IdParam,
        response: { 200: PrivacyRequest },
      },
    },
    async (request) => toRequestView(await withdrawRequest(request.ctx, principalOf(request).accountId, request.params.id), now()),
  );

  app.post(
    '/api/v1/privacy/requests/by-email',
    {
      config: { access: 'public' },
      onRequest: perIp('byEmail'),
      schema: {
        tags,
        summary: 'File a rights request without signing in (lost access): a link to confirm it is e-mailed',
        description:
          'The answer is the same whether or not an account uses the address. Only an account with this address gets the e-mail; ' +
          'its link (valid 24 hours) confirms and starts the request. Device accounts have no address: file from the app.',
        body: z.object({ email: Email, type: PrivacyRequestType, details: Details }),
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await fileRequestByEmail(request.ctx, request.body);
      return reply
        .code(202)
        .send({ message: 'If an account uses this address, we sent it a link to confirm the request, valid for 24 hours.' });
    },
  );

  app.post(
    '/api/v1/privacy/requests/verify',
    {
      config: { access: 'public', errors: ['INVALID_TOKEN', 'CONFLICT'] },
      onRequest: perIp('verify'),
      schema: {
        tags,
        summary: 'Confirm a request filed by e-mail with the token from its link; it then joins the queue',
        body: z.object({ token: SecretToken }),
        response: { 200: PrivacyRequest },
      },
    },
    async (request) => toRequestView(await verifyRequest(request.ctx, request.body.token), now()),
  );

  app.get(
    '/api/v1/admin/privacy/requests',
    {
      config: { access: STAFF },
      schema: {
        tags: ['admin'],
        summary: 'The queue of rights requests waiting on staff, the one due first at the top (support, admin)',
        description:
          'The whole queue, unfiltered: a filter is refused (400) rather than ignored. Why staff read it goes in `reason` (or ' +
          "`X-Access-Reason`), kept with each customer's access-log row.",
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({ reason: AccessReason }),
        response: { 200: z.object({ requests: z.array(QueuedPrivacyRequest) }) },
      },
    },
    async (request) => {
      const at = now();
      // Support staff see customers' requests only: a staff member's are for admins.
      const queue = await listRequestQueue(request.ctx.db, { customersOnly: principalOf(request).role !== 'admin' });
      // The queue shows each customer's account and what they wrote: a read of their data, logged before the answer.
      for (const accountId of new Set(queue.map(({ row }) => row.accountId)))
        if (accountId) await logStaffRead(request, accountId, 'privacy.requests');
      return { requests: queue.map(({ row, processingRestricted }) => toQueuedView(row, processingRestricted, at)) };
    },
  );

  app.post(
    '/api/v1/admin/privacy/requests/:id',
    {
      config: { access: STAFF, errors: ['NOT_FOUND', 'CONFLICT', 'FORBIDDEN'] },
      schema: {
        tags: ['admin'],
        summary: 'Move a rights request: start it with a reason, complete it with a note, or refuse it with the reason (support, admin)',
        description:
          'A refusal’s reason and a completion’s note are shown to the customer; why staff started a request is kept in the audit log. Completing a `restriction` or `withdraw_consent` request restricts the ' +
          "account's processing: no orders, webhooks held, until lifted (POST …/lift).",
        params: IdParam,
        body: z.discriminatedUnion('status', [
          z.object({ status: z.literal('in_progress'), reason: Note.describe('Why staff start it now (kept in the audit log)') }),
          z.object({ status: z.literal('completed'), note: Note.describe('What was done, shown to the customer') }),
          z.object({ status: z.literal('refused'), note: Note.describe('Why, shown to the customer') }),
        ]),
        response: { 200: PrivacyRequest },
      },
    },
    async (request) => {
      const body = request.body;
      const move: StaffMove =
        body.status === 'in_progress'
          ? { to: 'in_progress', reason: body.reason }
          : body.status === 'completed'
            ? { to: 'completed', note: body.note }
            : { to: 'refused', reason: body.note };
      const { accountId: actor, role } = principalOf(request);
      return toRequestView(await moveRequest({ ...request.ctx, actor }, requestDeps, request.params.id, move, role), now());
    },
  );

  app.post(
    '/api/v1/admin/privacy/requests/:id/lift',
    {
      config: { access: STAFF, errors: ['NOT_FOUND', 'CONFLICT', 'FORBIDDEN'] },
      schema: {
        tags: ['admin'],
        summary: 'Lift the processing restriction a completed request put on the account: orders and webhooks resume (support, admin)',
        params: IdParam,
        body: z.object({ reason: Note }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const { accountId: actor, role } = principalOf(request);
      await liftProcessingRestriction({ ...request.ctx, actor }, requestDeps, request.params.id, request.body.reason, role);
      return reply.code(204).send();
    },
  );
};
