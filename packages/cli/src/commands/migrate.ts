import { migrate } from '@modula/db';
import { cliConfig } from '../runtime-config.ts';
import { printJson, type TCommand } from './index.ts';

export const migrateCommand: TCommand = {
  summary: 'Applies pending database migrations, as the owner: DATABASE_OWNER_URL (else DATABASE_URL).',
  options: {},
  async run() {
    // the one command that needs the owner; everything else runs as the runtime's login
    const url = process.env.DATABASE_OWNER_URL ?? cliConfig().DATABASE_URL;
    printJson({ applied: await migrate(url) });
    return 0;
  },
};
