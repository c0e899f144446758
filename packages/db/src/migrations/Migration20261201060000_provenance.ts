import { Migration } from '@mikro-orm/migrations';

/**
 * Provenance of every write (issue 12, item 8): which credential sent an event and from which
 * address, inside the hashed record, so a leaked key's writes can be found and listed.
 *
 * Rows stored before this migration keep verifying: they read as record_version 1, whose hashed
 * record has no `recordVersion`, `credential` or `sourceAddress` (README "Hash chain"). Adding a
 * column with a constant default rewrites nothing (PostgreSQL keeps the default in the catalog),
 * so the immutable rows are untouched; the default is then dropped, so every new row must say
 * which record version it is.
 */
export class Migration20261201060000_provenance extends Migration {
  override name = 'Migration20261201060000_provenance';

  override async up(): Promise<void> {
    this.addSql(`alter table audit_events
      add column record_version smallint not null default 1,
      add column credential text,
      add column source_address text`);
    this.addSql('alter table audit_events alter column record_version drop default');
    this.addSql(`alter table audit_events add constraint audit_events_record_version_check check (
      record_version = 2 or (record_version = 1 and credential is null and source_address is null)) not valid`);
    // validated apart: a scan under a lock that lets ingest go on, not one that stops it
    this.addSql('alter table audit_events validate constraint audit_events_record_version_check');
    // "everything this key wrote", in the order the log lists events, without reading the whole log
    this.addSql('create index audit_events_credential_idx on audit_events (tenant_id, credential, occurred_at desc, seq desc) where credential is not null');
    this.addSql(
      `comment on column audit_events.credential is 'Which credential sent the event: apikey:<api key id>, user:<user id>, operator:<name>, system, anonymous (null: record_version 1 or unknown)'`,
    );
    this.addSql(`comment on column audit_events.source_address is 'The address the request came from (null for in-process callers)'`);
    // a quarantined event keeps its provenance, and gets it back when replayed
    this.addSql('alter table quarantined_events add column provenance jsonb');
  }
}
