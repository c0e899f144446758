import { migrate } from '@modula/db';
import { cliConfig } from '../runtime-config.ts';
import { printJson, type TCommand } from './index.ts';

export const migrateCommand: TCommand = {
  summary: 'Applies pending database migrations.',
  options: {},
  async run() {
    printJson({ applied: await migrate(cliConfig().DATABASE_URL) });
    return 0;
  },
};
