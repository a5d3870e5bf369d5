import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import {
  closeConversation,
  MAX_BODY,
  MAX_SUBJECT,
  ownConversations,
  ownThread,
  QueuedSupportConversation,
  queueCursor,
  queueViews,
  StaffSupportThread,
  SUPPORT_LIMITS,
  SupportConversation,
  SupportStatus,
  SupportThread,
  staffThread,
  startConversation,
  threadView,
  writeAsCustomer,
  writeAsStaff,
} from '../../modules/support/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf, STAFF } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { AccessReason, IdParam, idCursor, Limit, Line, Prose, Text } from '../schemas.ts';
import { logStaffRead } from '../staff-reads.ts';

const Body = Prose.trim()
  .min(1)
  .max(MAX_BODY)
  .describe(`The message (at most ${MAX_BODY.toLocaleString('en')} characters)`);
const Subject = Line.trim().min(3).max(MAX_SUBJECT).describe(`What it is about, in a few words (3–${MAX_SUBJECT} characters)`);
/** Why staff read the conversation, optional: `X-Access-Reason` header or `reason` query parameter (staff access log). */

/**
 * Support conversations (P17, ADR 34): customers write (web session, app device token or API key) and
 * follow the answers live; staff work the queue. Bodies never leave the API in e-mail or events.
 */
export const supportRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['support'];
  const adminTags = ['admin'];

  app.post(
    '/api/v1/support/conversations',
    {
      config: { errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Write to support, in general or about one of your orders',
        description:
          `Starts a conversation with its first message; support's answers arrive as \`support.message\` events on /api/v1/events ` +
          `and, where your account has an e-mail address, an e-mail says an answer is waiting (never what it says). At most ` +
          `${SUPPORT_LIMITS.conversationsPerDay} new conversations a day and ${SUPPORT_LIMITS.messagesPerHour} messages an hour.`,
        body: z.object({
          subject: Subject,
          body: Body,
          orderId: Text.max(64).optional().describe('One of your orders, if the conversation is about it'),
        }),
        response: { 201: SupportThread },
      },
    },
    async (request, reply) => {
      const { accountId } = principalOf(request);
      const { conversation } = await startConversation(request.ctx, { accountId, ...request.body });
      return reply.code(201).send(await threadView(request.ctx, conversation));
    },
  );

  app.get(
    '/api/v1/support/conversations',
    {
      schema: {
        tags,
        summary: 'Your support conversations, newest first',
        querystring: z.object({ cursor: idCursor('spc').optional(), limit: Limit }),
        response: { 200: z.object({ conversations: z.array(SupportConversation), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const rows = await ownConversations(request.ctx, { accountId: principalOf(request).accountId, cursor, limit });
      const { items, nextCursor } = pageOf(rows, limit, (item) => item.row.id);
      return { conversations: items.map((item) => item.view), nextCursor };
    },
  );

  app.get(
    '/api/v1/support/conversations/:id',
    {
      config: { errors: ['NOT_FOUND'] },
      schema: { tags, summary: 'One of your support conversations, with its messages', params: IdParam, response: { 200: SupportThread } },
    },
    async (request) => ownThread(request.ctx, principalOf(request).accountId, request.params.id),
  );

  app.post(
    '/api/v1/support/conversations/:id/messages',
    {
      config: { errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Reply in one of your support conversations (a closed one opens again)',
        params: IdParam,
        body: z.object({ body: Body }),
        response: { 201: SupportThread },
      },
    },
    async (request, reply) => {
      const { conversation } = await writeAsCustomer(request.ctx, {
        accountId: principalOf(request).accountId,
        conversationId: request.params.id,
        body: request.body.body,
      });
      return reply.code(201).send(await threadView(request.ctx, conversation));
    },
  );

  app.post(
    '/api/v1/support/conversations/:id/close',
    {
      config: { errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Close one of your support conversations (writing to it later opens it again)',
        params: IdParam,
        response: { 200: SupportThread },
      },
    },
    async (request) => {
      const closed = await closeConversation(request.ctx, { accountId: principalOf(request).accountId, conversationId: request.params.id });
      return threadView(request.ctx, closed);
    },
  );

  app.get(
    '/api/v1/admin/support/conversations',
    {
      config: { access: STAFF },
      schema: {
        tags: adminTags,
        summary: 'The support queue: open conversations the longest-waiting first (support, admin)',
        description:
          'With `status=answered` or `status=closed`: those, the most recently active first. Each customer shown sees the read under ' +
          '"Who accessed my data". Support staff see customers\' conversations only (a staff account\'s are for admins).',
        querystring: z.object({ status: SupportStatus.default('open'), cursor: Text.max(100).optional(), limit: Limit }),
        response: { 200: z.object({ conversations: z.array(QueuedSupportConversation), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { status, cursor, limit } = request.query;
      const rows = await queueViews(request.ctx, { status, cursor, limit, readerRole: principalOf(request).role });
      const { items, nextCursor } = pageOf(rows, limit, (item) => queueCursor(item.row, status));
      // Each customer shown (their subject is theirs) sees the read under "Who accessed my data".
      for (const accountId of new Set(items.map((item) => item.row.accountId))) await logStaffRead(request, accountId, 'support.queue');
      return { conversations: items.map((item) => item.view), nextCursor };
    },
  );

  app.get(
    '/api/v1/admin/support/conversations/:id',
    {
      config: { access: STAFF, errors: ['NOT_FOUND'] },
      schema: {
        tags: adminTags,
        summary: 'A support conversation with every message and who wrote it (support, admin)',
        description: 'Logged as a staff read the customer sees under "Who accessed my data", with the reason given, if any.',
        params: IdParam,
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({ reason: AccessReason }),
        response: { 200: StaffSupportThread },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return staffThread(request.ctx, {
        staff: { accountId: principal.accountId, role: principal.role },
        conversationId: request.params.id,
        reason: request.headers['x-access-reason'] || request.query.reason,
        requestId: request.id,
      });
    },
  );

  app.post(
    '/api/v1/admin/support/conversations/:id/messages',
    {
      config: { access: STAFF, errors: ['NOT_FOUND'] },
      schema: {
        tags: adminTags,
        summary: 'Answer a support conversation (support, admin); audited',
        description:
          'The customer sees the answer signed "Support", live on their event stream, and is told by e-mail that an answer is waiting.',
        params: IdParam,
        body: z.object({ body: Body }),
        response: { 201: z.object({ id: z.string(), conversationId: z.string(), status: SupportStatus }) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { conversation, message } = await writeAsStaff(request.ctx, {
        staff: { accountId: principal.accountId, role: principal.role },
        conversationId: request.params.id,
        body: request.body.body,
      });
      return reply.code(201).send({ id: message.id, conversationId: conversation.id, status: conversation.status });
    },
  );

  app.post(
    '/api/v1/admin/support/conversations/:id/close',
    {
      config: { access: STAFF, errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags: adminTags,
        summary: 'Close a support conversation (support, admin); audited',
        params: IdParam,
        response: { 200: z.object({ id: z.string(), status: SupportStatus }) },
      },
    },
    async (request) => {
      const closed = await closeConversation(request.ctx, {
        staffAccountId: principalOf(request).accountId,
        staffRole: principalOf(request).role,
        conversationId: request.params.id,
      });
      return { id: closed.id, status: closed.status };
    },
  );
};
