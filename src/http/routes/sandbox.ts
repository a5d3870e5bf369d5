import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { activations } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { receiveSms } from '../../modules/activations/receive-sms.ts';
import { balanceOf } from '../../modules/ledger/accounts.ts';
import { grantCredits } from '../../modules/ledger/verbs.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { Text } from '../schemas.ts';

/** The most demo credits one request can add. */
export const DEMO_CREDITS_MAX = 5_000;

/** Sandbox only: deliver any text to one of my sandbox numbers, as if the service had sent it. */
export const sandboxRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/sandbox/credits',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'Add demo credits to my account (only while the sandbox is the only provider)',
        description:
          'For trying otpbox without payments. Refused as soon as a real provider is configured, because credits bought real numbers then.',
        body: z.object({ amount: z.number().int().min(1).max(DEMO_CREDITS_MAX).default(500) }),
        response: { 201: z.object({ transferId: z.string(), available: z.number().int(), held: z.number().int() }) },
      },
    },
    async (request, reply) => {
      if (deps.activations.catalog.sellsRealNumbers) {
        throw new DomainError(
          'FORBIDDEN',
          'Demo credits exist only while the sandbox is the only provider: this service sells real numbers.',
        );
      }
      const accountId = principalOf(request).accountId;
      const { transfer } = await grantCredits(
        { ...request.ctx, actor: accountId },
        {
          accountId,
          amount: request.body.amount,
          reason: 'Sandbox demo credits',
          idempotencyKey: `demo:${request.id}`,
          metadata: { demo: true },
        },
      );
      const balance = await balanceOf(request.ctx.db, accountId);
      return reply.code(201).send({ transferId: transfer.id, available: balance.available, held: balance.held });
    },
  );
  app.post(
    '/api/v1/sandbox/sms',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'Deliver an SMS to one of my sandbox numbers (only while the sandbox is on)',
        body: z.object({ activationId: Text.max(64), text: Text.min(1).max(1600) }),
        response: { 202: z.object({ outcome: z.enum(['charged', 'recorded', 'late', 'duplicate']) }) },
      },
    },
    async (request, reply) => {
      const [row] = await request.ctx.db
        .select({ id: activations.id, sandbox: activations.sandbox, status: activations.status })
        .from(activations)
        .where(and(eq(activations.id, request.body.activationId), eq(activations.accountId, principalOf(request).accountId)));
      if (!row || row.status === 'requesting') throw new DomainError('NOT_FOUND', 'No such activation.');
      if (!row.sandbox) throw new DomainError('CONFLICT', 'This is a real number: only the sandbox accepts SMS from this endpoint.');
      const { outcome } = await receiveSms(request.ctx, deps.activations, {
        target: { activationId: row.id },
        text: request.body.text,
        // No message id: the same text posted twice is one message, like a provider push repeated.
        source: 'sandbox',
      });
      if (outcome === 'unknown_order') throw new DomainError('NOT_FOUND', 'No such activation.');
      return reply.code(202).send({ outcome });
    },
  );
};
