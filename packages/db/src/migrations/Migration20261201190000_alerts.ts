import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

const TENANT_POLICY = `using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`;

/**
 * Alerts (issue 16, item 3). A tenant's rules are the defaults of the contracts until an Admin or
 * operator changes one (`alert_rules` holds only changed rules); `alert_cursors` is the last `seq`
 * each tenant's evaluation read, so nothing is missed or counted twice across restarts; `alerts`
 * holds each raised alert once — the unique (tenant_id, rule, subject, window_start) is what keeps a
 * storm to one alert, however many workers evaluate at once; `alert_deliveries` its delivery state
 * per recipient; `alert_webhooks` the tenant's alert webhooks, their HMAC secret sealed (AES-256-GCM
 * under a key derived from the server secret, as stream credentials are). Row-level security forced
 * on each; the runtime gets only what it uses: no DELETE but of webhooks, and UPDATE of a few columns.
 */
export class Migration20261201190000_alerts extends Migration {
  override name = 'Migration20261201190000_alerts';

  override async up(): Promise<void> {
    this.addSql(`create table alert_rules (
      tenant_id uuid not null references tenants(id),
      rule text not null,
      enabled boolean not null,
      threshold int not null check (threshold >= 0),
      window_minutes int not null check (window_minutes between 1 and 10080),
      min_accounts int not null check (min_accounts >= 1),
      notify_admins boolean not null,
      emails text[] not null default '{}',
      updated_at timestamptz not null default now(),
      primary key (tenant_id, rule))`);
    this.addSql(`create table alert_cursors (
      tenant_id uuid not null references tenants(id) primary key,
      seq bigint not null default 0 check (seq >= 0),
      updated_at timestamptz not null default now())`);
    this.addSql(`create table alerts (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      rule text not null,
      subject text not null,
      subject_label text,
      window_start timestamptz not null,
      window_minutes int not null,
      first_at timestamptz not null,
      last_at timestamptz not null,
      count int not null,
      threshold int not null,
      seqs bigint[] not null default '{}',
      filter jsonb not null,
      details jsonb not null default '{}',
      raised_at timestamptz not null default now(),
      recorded_at timestamptz,
      acknowledged_at timestamptz,
      acknowledged_by text,
      primary key (tenant_id, id),
      unique (tenant_id, rule, subject, window_start))`);
    this.addSql('create index alerts_by_raised on alerts (tenant_id, raised_at desc, id desc)');
    this.addSql(`create index alerts_unrecorded on alerts (tenant_id) where recorded_at is null`);
    this.addSql(`create table alert_deliveries (
      tenant_id uuid not null,
      alert_id uuid not null,
      recipient text not null,
      channel text not null check (channel in ('EMAIL', 'WEBHOOK')),
      target text not null,
      state text not null default 'PENDING' check (state in ('PENDING', 'SENT', 'FAILED')),
      attempts int not null default 0,
      last_error text,
      delivered_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, alert_id, recipient),
      foreign key (tenant_id, alert_id) references alerts (tenant_id, id))`);
    this.addSql(`create table alert_webhooks (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      url text not null,
      secret_sealed text not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, url))`);

    for (const table of ['alert_rules', 'alert_cursors', 'alerts', 'alert_deliveries', 'alert_webhooks']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`create policy ${table}_tenant on ${table} ${TENANT_POLICY}`);
      this.addSql(`revoke all on ${table} from public`);
    }
    this.addSql(`grant select, insert on alert_rules to ${APP_ROLE}`);
    this.addSql(`grant update (enabled, threshold, window_minutes, min_accounts, notify_admins, emails, updated_at) on alert_rules to ${APP_ROLE}`);
    this.addSql(`grant select, insert on alert_cursors to ${APP_ROLE}`);
    this.addSql(`grant update (seq, updated_at) on alert_cursors to ${APP_ROLE}`);
    this.addSql(`grant select, insert on alerts to ${APP_ROLE}`);
    this.addSql(`grant update (recorded_at, acknowledged_at, acknowledged_by) on alerts to ${APP_ROLE}`);
    this.addSql(`grant select, insert on alert_deliveries to ${APP_ROLE}`);
    this.addSql(`grant update (state, attempts, last_error, delivered_at, updated_at) on alert_deliveries to ${APP_ROLE}`);
    this.addSql(`grant select, insert, delete on alert_webhooks to ${APP_ROLE}`);
    this.addSql(
      `comment on table alerts is 'Alerts raised from the log (issue 16): one per rule, subject and window (the unique key), each also an ALERT_RAISED event whose eventId is its id'`,
    );
    this.addSql(
      `comment on column alert_webhooks.secret_sealed is 'The HMAC signing secret, AES-256-GCM under a key derived from the server secret: never shown again, never logged'`,
    );
  }
}
