import { createOrm, type Orm } from '@modula/db';
import { cliConfig } from '../runtime-config.ts';

export async function withOrm<T>(fn: (orm: Orm) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const orm = await createOrm({ url: config.DATABASE_URL, poolMax: 2 });
  try {
    return await fn(orm);
  } finally {
    await orm.close();
  }
}
