import { setRentalRate } from '../modules/pool/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

/** A pool number is rented (long-term rentals, ADR 42) only once it has a rental rate. */
export const numbersRentRateCommand: CommandDefinition = {
  path: ['numbers', 'rent-rate'],
  summary: 'Offer a pool number for long-term rental at a price per day (USD, before the pool’s markup), or stop',
  usage: 'otpbox numbers rent-rate --number +E164 (--per-day 0.50 | --off)',
  options: { number: { type: 'string' }, 'per-day': { type: 'string' }, off: { type: 'boolean' } },
  async run(ctx, args, io) {
    const v = args.values;
    const perDay = typeof v['per-day'] === 'string' ? v['per-day'] : undefined;
    if ((perDay === undefined) === !v.off) throw new UsageError('give either --per-day AMOUNT or --off');
    const set = await setRentalRate(commandCtx(ctx), requireString(v.number, 'number'), v.off ? null : (perDay as string));
    io.stdout(
      set.perDay === null
        ? `${set.number} is no longer offered for rental (a current rental runs to its end).\n`
        : `${set.number} can be rented for ${set.perDay.toFixed(2)} USD a day (before the pool’s markup).\n`,
    );
    return EXIT.ok;
  },
};
