import { administrationEvent, listQuarantine, replayQuarantine } from '@modula/domain';
import { printJson, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withIngestQueue } from './with-ingest-queue.ts';
import { withOrm } from './with-orm.ts';

export const quarantineList: TCommand = {
  summary: 'Lists quarantined events (open ones; --all includes replayed), newest first, one JSON object per line.',
  options: { tenant: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } },
  async run(values) {
    const entries = await withOrm((orm) =>
      listQuarantine(orm, {
        tenantId: values.tenant as string | undefined,
        includeReplayed: Boolean(values.all),
        limit: Number(values.limit ?? 100),
      }),
    );
    for (const entry of entries) printJson(entry);
    return 0;
  },
};

export const quarantineReplay: TCommand = {
  summary:
    'Sends quarantined events through the worker again (all open ones, or by --tenant, --id, --reason), keeping their receivedAt; prints {replayed, skipped} (an altered or unreadable payload is skipped, with why). One PostgreSQL refused is skipped unless --refused (once its cause is fixed); with it, one still refused is skipped and stays quarantined.',
  options: { tenant: { type: 'string' }, id: { type: 'string', multiple: true }, reason: { type: 'string' }, refused: { type: 'boolean' } },
  async run(values) {
    return withIngestQueue(async (queue) => {
      const result = await withOrm((orm) =>
        replayQuarantine(orm, (tenantId, events, receivedAt, provenance) => queue.enqueue(tenantId, events, receivedAt, { provenance }), {
          tenantId: values.tenant as string | undefined,
          ids: values.id as string[] | undefined,
          reason: values.reason as string | undefined,
          refused: Boolean(values.refused),
        }),
      );
      const operator = operatorActor();
      await recordAdministration(
        result.byTenant.map((t) =>
          administrationEvent(t.tenantId, 'QUARANTINE_REPLAYED', operator, undefined, {
            metadata: {
              replayed: t.replayed,
              skipped: t.skipped,
              ...(values.reason ? { reason: values.reason } : {}),
              ...(values.refused ? { refused: true } : {}),
            },
          }),
        ),
      );
      printJson({ replayed: result.replayed, skipped: result.skipped });
      return 0;
    });
  },
};
