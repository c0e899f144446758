import { jobsFailed, jobsRetry } from './jobs.ts';
import { migrateCommand } from './migrate.ts';
import { serverSecretRecord } from './server-secret.ts';
import { quarantineList, quarantineReplay } from './quarantine.ts';
import { tenantCreate, tenantSetTimeZone } from './tenant.ts';
import { tenantExpire, tenantOffboard, tenantRetention, verifyTombstoneCommand } from './tenant-retention.ts';
import { userCreate } from './user.ts';
import { userDisable, userResetTwoFactor, userSetRole, userUnlock } from './user-admin.ts';
import { verifyChainCommand } from './verify-chain.ts';
import { checkpointCreate, checkpointList } from './checkpoint.ts';
import { proofCommand, verifyProofCommand } from './proof.ts';
import { exportCreateCommand, verifyExportCommand } from './exports.ts';
import { devicesGaps } from './devices.ts';
import { apiKeyCreate, apiKeyList, apiKeyRevoke } from './api-keys.ts';
import { readTokenCreate, readTokenList, readTokenRevoke } from './read-tokens.ts';
import { operatorCreate, operatorList, operatorRevoke } from './operators.ts';
import { streamCreate, streamDelete, streamList, streamPause, streamResume } from './streams.ts';
import { alertList, alertRules, alertSet, alertWebhookAdd, alertWebhookList, alertWebhookRemove } from './alerts.ts';
import type { TCommand } from './helpers.ts';

/** The command registry: only main.ts imports it; the commands import their helpers from helpers.ts (no import cycle). */
export const COMMANDS: Record<string, TCommand> = {
  'tenant create': tenantCreate,
  'tenant set-time-zone': tenantSetTimeZone,
  'tenant retention': tenantRetention,
  'tenant expire': tenantExpire,
  'tenant offboard': tenantOffboard,
  'user create': userCreate,
  'user set-role': userSetRole,
  'user disable': userDisable,
  'user unlock': userUnlock,
  'user reset-2fa': userResetTwoFactor,
  'apikey create': apiKeyCreate,
  'apikey list': apiKeyList,
  'apikey revoke': apiKeyRevoke,
  'token create': readTokenCreate,
  'token list': readTokenList,
  'token revoke': readTokenRevoke,
  'stream create': streamCreate,
  'stream list': streamList,
  'stream pause': streamPause,
  'stream resume': streamResume,
  'stream delete': streamDelete,
  'alert rules': alertRules,
  'alert set': alertSet,
  'alert list': alertList,
  'alert webhook-add': alertWebhookAdd,
  'alert webhooks': alertWebhookList,
  'alert webhook-remove': alertWebhookRemove,
  'operator create': operatorCreate,
  'operator list': operatorList,
  'operator revoke': operatorRevoke,
  'quarantine list': quarantineList,
  'quarantine replay': quarantineReplay,
  'jobs failed': jobsFailed,
  'jobs retry': jobsRetry,
  'verify-chain': verifyChainCommand,
  'checkpoint create': checkpointCreate,
  'checkpoint list': checkpointList,
  proof: proofCommand,
  'verify-proof': verifyProofCommand,
  'verify-export': verifyExportCommand,
  'verify-tombstone': verifyTombstoneCommand,
  'export create': exportCreateCommand,
  'devices gaps': devicesGaps,
  migrate: migrateCommand,
  'server-secret record': serverSecretRecord,
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => {
    const opts = Object.entries(c.options)
      .map(([o, d]) => (d.type === 'boolean' ? `[--${o}]` : `--${o} ${o.toUpperCase()}`))
      .join(' ');
    return `  pnpm --silent cli ${name} ${opts}\n      ${c.summary}`;
  });
  return `Usage:\n${lines.join('\n')}`;
}
