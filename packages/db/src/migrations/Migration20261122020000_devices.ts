import { Migration } from '@mikro-orm/migrations';

/**
 * Offline devices: each device numbers its events (`device_seq`); this index lets the gap query
 * (`findDeviceGaps`: lag over each device's numbers) walk one tenant's devices in order without
 * sorting the log. Partial: events without a device (in-process modules) are not in it.
 */
export class Migration20261122020000_devices extends Migration {
  override name = 'Migration20261122020000_devices';

  override async up(): Promise<void> {
    this.addSql(`create index audit_events_by_device on audit_events (tenant_id, device_id, device_seq)
      where device_id is not null and device_seq is not null`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists audit_events_by_device');
  }
}
