import { migrateDatabase } from '../db/migrate.ts';
import { type CommandDefinition, EXIT } from './types.ts';

export const migrateCommand: CommandDefinition = {
  path: ['migrate'],
  summary: 'Apply pending database migrations and exit',
  usage: 'otpbox migrate',
  async run(ctx, _args, io) {
    const { applied } = await migrateDatabase(ctx.database);
    io.stdout(
      applied.length === 0
        ? `Database schema is up to date (${ctx.database.engine}).\n`
        : `Applied ${applied.length} migration(s) on ${ctx.database.engine}: ${applied.join(', ')}\n`,
    );
    return EXIT.ok;
  },
};
