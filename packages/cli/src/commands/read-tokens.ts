import { READ_TOKEN_DEFAULT_DAYS, READ_TOKEN_MAX_DAYS, ZReadTokenCreateInput } from '@modula/contracts';
import { administrationEvent, AppError, createReadToken, listReadTokens, revokeReadToken } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, tenantOption, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

export const readTokenCreate: TCommand = {
  summary:
    `Creates a read token for machines (issue 16: events.list/get, exports.*, GET /api/events.ndjson; never ingest nor manage): --name NAME ` +
    `[--expires-days N] (default ${READ_TOKEN_DEFAULT_DAYS}, at most ${READ_TOKEN_MAX_DAYS}); prints {"tokenId","token","expiresAt"} (the token is shown only once).`,
  options: { tenant: { type: 'string' }, name: { type: 'string' }, 'expires-days': { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    const input = ZReadTokenCreateInput.parse({ name: required(values, 'name'), ...(days === undefined ? {} : { expiresInDays: days }) });
    const actor = operatorActor();
    const created = await withOrm((orm) =>
      createReadToken(orm, tenantId, { name: input.name, expiresInDays: input.expiresInDays, createdBy: { userId: null, name: actor.name ?? 'operator' } }),
    );
    await recordAdministration([
      administrationEvent(
        tenantId,
        'READ_TOKEN_CREATED',
        actor,
        { type: 'READ_TOKEN', id: created.tokenId, label: input.name },
        { metadata: { expiresAt: created.expiresAt } },
      ),
    ]);
    printJson(created);
    return 0;
  },
};

export const readTokenList: TCommand = {
  summary:
    'Lists the tenant\'s read tokens, newest first: {"items":[{"id","name","createdBy","createdAt","expiresAt","lastUsedAt","revokedAt"}]} (tokens are never stored).',
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    printJson({ items: await withOrm((orm) => listReadTokens(orm, tenantId)) });
    return 0;
  },
};

export const readTokenRevoke: TCommand = {
  summary: "Revokes a read token at once, given by its id or by the token itself (--token); prints the token's record with its revokedAt.",
  options: { tenant: { type: 'string' }, token: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const token = required(values, 'token');
    if (!z.uuid().safeParse(token).success && !token.startsWith('mrt_')) throw new Error('--token must be a read token id (UUID) or the token itself (mrt_…)');
    let revoked;
    try {
      revoked = await withOrm((orm) => revokeReadToken(orm, tenantId, token));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        console.error(`tenant ${tenantId} has no such read token`);
        return 1;
      }
      throw err;
    }
    await recordAdministration([
      administrationEvent(
        tenantId,
        'READ_TOKEN_REVOKED',
        operatorActor(),
        { type: 'READ_TOKEN', id: revoked.id, label: revoked.name },
        { metadata: { revokedAt: revoked.revokedAt } },
      ),
    ]);
    printJson(revoked);
    return 0;
  },
};
