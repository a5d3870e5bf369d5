import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { deliverSandboxSms } from '../../modules/activations/index.ts';
import { Balance, balancesOf, grantDemoCredits } from '../../modules/ledger/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { Text } from '../schemas.ts';

/** What one top-up adds when the request names no amount (the web app's button). */
export const DEMO_CREDITS_DEFAULT = 500;

/**
 * The sandbox: whether it sells (public, so the web app can say so before anyone signs in), demo
 * credits, and delivering any text to one of my sandbox numbers, as if the service had sent it.
 */
export const sandboxRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const catalog = deps.activations.catalog;
  const cap = deps.config.sandboxDemoCredits;

  app.get(
    '/api/v1/sandbox',
    {
      config: { access: 'public' },
      schema: {
        tags: ['sandbox'],
        summary: 'Whether the sandbox sells its fictional numbers here, and the demo credits an account can hold',
        response: {
          200: z.object({
            sells: z.boolean().describe('The sandbox sells fictional numbers (no payment needed, no real SMS)'),
            demoCredits: z.object({
              cap: z.number().int().describe('The most demo credits an account holds (0: none are given)'),
            }),
          }),
        },
      },
    },
    async () => ({ sells: deps.sandbox && catalog.sandboxSells, demoCredits: { cap: deps.sandbox ? cap : 0 } }),
  );

  if (!deps.sandbox) return;

  app.post(
    '/api/v1/sandbox/credits',
    {
      config: { errors: ['FORBIDDEN', 'DEMO_CREDITS_LIMIT'] },
      schema: {
        tags: ['sandbox'],
        summary: 'Add demo credits to my account (only while the sandbox sells)',
        description:
          'For trying otpbox without payments. Demo credits are kept apart from your credits: they pay for sandbox numbers only, ' +
          `an account holds at most SANDBOX_DEMO_CREDITS of them (${cap} here), and they are voided when the sandbox stops selling ` +
          '(for example when the operator connects a real provider).',
        body: z.object({ amount: z.number().int().min(1).max(Math.max(1, cap)).default(DEMO_CREDITS_DEFAULT) }),
        response: { 201: Balance.extend({ transferId: z.string() }) },
      },
    },
    async (request, reply) => {
      if (!catalog.sandboxSells || cap === 0) {
        throw new DomainError('FORBIDDEN', 'Demo credits exist only while the sandbox sells: this service sells real numbers only.');
      }
      const accountId = principalOf(request).accountId;
      const { transfer } = await grantDemoCredits(
        { ...request.ctx, actor: accountId },
        { accountId, amount: request.body.amount, cap, idempotencyKey: `demo:${request.id}` },
      );
      const { credits, demo } = await balancesOf(request.ctx.db, accountId);
      return reply.code(201).send({
        transferId: transfer.id,
        available: credits.available,
        held: credits.held,
        demo: { available: demo.available, held: demo.held },
      });
    },
  );
  app.post(
    '/api/v1/sandbox/sms',
    {
      config: { errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags: ['sandbox'],
        summary: 'Deliver an SMS to one of my sandbox numbers (only while the sandbox is on)',
        body: z.object({ activationId: Text.max(64), text: Text.min(1).max(1600) }),
        response: { 202: z.object({ outcome: z.enum(['charged', 'recorded', 'late', 'duplicate']) }) },
      },
    },
    async (request, reply) => {
      const outcome = await deliverSandboxSms(request.ctx, deps.activations, {
        accountId: principalOf(request).accountId,
        activationId: request.body.activationId,
        text: request.body.text,
      });
      return reply.code(202).send({ outcome });
    },
  );
};
