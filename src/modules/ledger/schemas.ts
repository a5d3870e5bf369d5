import { z } from 'zod';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The response schemas of the ledger's routes; the module's view types are inferred from them. */

/** What one wallet (purse) holds, as a customer sees it. */
export const PurseBalance = z
  .object({
    available: z.number().int().describe('Credits you can spend now'),
    held: z.number().int().describe('Credits reserved by open orders: spent if a code arrives, returned otherwise'),
  })
  .meta({ id: 'PurseBalance' });

/** An account's credits, and apart from them its demo credits. */
export const Balance = PurseBalance.extend({
  demo: PurseBalance.describe(
    'Demo credits, apart from your credits: they pay for sandbox numbers only (first, before your credits), and are voided when the sandbox stops selling',
  ),
}).meta({ id: 'Balance' });

/** One line of a customer's statement: a transfer's effect on one wallet. */
export const StatementLine = z
  .object({
    transferId: z.string(),
    at: Timestamp,
    kind: z.string(),
    reason: z.string().describe('Why, in plain words ("Telegram number +1…0123, code received")'),
    purse: z.enum(['credits', 'demo']).describe('Which balance moved: your credits, or your demo credits (sandbox numbers only)'),
    change: PurseBalance.describe('How this transfer changed what you can spend, and what is reserved'),
    balanceAfter: PurseBalance,
  })
  .meta({ id: 'StatementLine' });
export type StatementLineView = z.infer<typeof StatementLine>;
