import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reauthenticate } from '../../modules/accounts/index.ts';
import { AccountDeleted, ERASURE_DAYS, eraseAccount } from '../../modules/privacy/index.ts';
import { erasureDeps } from '../../runtime/erasure-deps.ts';
import type { AppDeps } from '../app.ts';
import { cookieNames, principalOf } from '../auth.ts';
import { clearCookie } from '../cookies.ts';
import { Text } from '../schemas.ts';

/**
 * Erasure (P12, ADR 27): the customer deletes their account. Only a signed-in session (web) or the
 * app's device token may: an API key sits in scripts and on servers, and one that leaks must not be
 * able to destroy the account and forfeit its credits. An account with a password gives it again
 * (throttled like sign-in). What ends at once and what completes later is answered; the session is
 * gone afterwards (the cookie is cleared).
 */
export const privacyDeleteRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const names = cookieNames(deps.config);
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.config.secureCookies, path: '/' };
  const erasure = erasureDeps(deps.activations, deps.payments ?? {});

  app.post(
    '/api/v1/privacy/delete',
    {
      config: {
        signedInOnly: { what: 'Delete your account', keyCannot: 'delete an account' },
        errors: ['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS', 'CONFLICT'],
      },
      schema: {
        tags: ['privacy'],
        summary: 'Delete my account and erase my personal data',
        description:
          'Irreversible. At once: every session, device token and API key ends; open orders are cancelled (upstream too) and ' +
          'their credits released; open card payment pages expire and card subscriptions are cancelled at Stripe (store ' +
          'subscriptions are cancelled in the store); the remaining credits (and demo credits) are forfeited; webhooks stop. Then the personal data ' +
          `is erased; what must wait (an order being bought, an upstream cancellation not yet acknowledged, Stripe unreachable) within ${ERASURE_DAYS} ` +
          'days. Payment and ledger records stay for their legal period, pseudonymised (`deleted:<random>`). ' +
          '`confirm` must be `true`; an account with a password sends it as `password`. ' +
          'Answers 200 when the erasure completed, 202 when some of it completes later.',
        body: z.object({
          confirm: z.literal(true).describe('Must be `true`: the account and its data are gone for good.'),
          password: Text.max(1024).optional().describe('The current password (accounts that have one).'),
        }),
        response: { 200: AccountDeleted, 202: AccountDeleted },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await reauthenticate(request.ctx, principal.accountId, request.body.password);
      const outcome = await eraseAccount({ ...request.ctx, actor: 'customer' }, erasure, principal.accountId, {
        reason: 'deleted by the customer',
      });
      clearCookie(reply, names.session, cookieOptions);
      clearCookie(reply, names.trustedDevice, cookieOptions);
      return reply.code(outcome.completedAt ? 200 : 202).send({
        deletedAt: outcome.deletedAt.toISOString(),
        accessEnded: outcome.access,
        ordersEnded: outcome.orders,
        paymentsEnded: {
          checkoutPagesExpired: outcome.payments.checkoutPagesExpired,
          subscriptionsCancelled: outcome.payments.subscriptionsCancelled,
        },
        forfeited: outcome.forfeited,
        webhooksStopped: outcome.webhooks,
        erasure: {
          completed: outcome.completedAt !== null,
          completedAt: outcome.completedAt?.toISOString() ?? null,
          completesBy: outcome.completesBy.toISOString(),
        },
      });
    },
  );
};
