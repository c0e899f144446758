export { AppError, type TAppErrorCode } from './app-error.ts';
export { judgeEvents, groupByTenant, type TIngestPrincipal, type TRejection } from './ingest/accept.ts';
export { REDACTED } from './ingest/redaction.ts';
export { canonicalJson, sha256Hex } from './integrity/canonical-json.ts';
export { chainHash, GENESIS_HASH, type TChainRecord } from './integrity/chain.ts';
export { storeIsolated, storeIsolatedGroup, readJobEvents, type TGroupMember, type TUnstorable } from './ingest/store-isolated.ts';
export type { TStoreOutcome } from './ingest/store-batch.ts';
export { findStoredStatuses } from './ingest/event-status.ts';
export { createTenant, tenantExists } from './accounts/tenants.ts';
export { setTenantTimeZone, tenantTimeZone, canonicalTimeZone, DEFAULT_TIME_ZONE } from './accounts/tenant-time-zone.ts';
export { createApiKey, authenticateApiKey, listApiKeys, revokeApiKey, type TApiKeyScope } from './accounts/api-keys.ts';
export {
  createReadToken,
  authenticateReadToken,
  listReadTokens,
  revokeReadToken,
  readTokenActor,
  isReadTokenText,
  type TReadTokenHolder,
  type TTokenMaker,
} from './accounts/read-tokens.ts';
export { createUser } from './accounts/users.ts';
export { setUserRole, disableUser, unlockUser, resetTwoFactor, type TAdministeredUser } from './accounts/user-admin.ts';
export { administrationEvent, sessionActor, type TAdministrator } from './accounts/administration.ts';
export {
  createOperator,
  listOperators,
  revokeOperator,
  authenticateOperator,
  anyActiveOperator,
  recordOperatorAction,
  operatorActorOf,
  type TOperator,
} from './accounts/operators.ts';
export { listQuarantine, replayQuarantine } from './ingest/quarantine.ts';
export { verifyChain } from './integrity/verify-chain.ts';
export { recordBytesColumns } from './integrity/record-bytes.ts';
export { buildStoredRow, contentHashOf, type TStoredRow } from './ingest/event-row.ts';
export { signIn, confirmTotpEnrollment, type TAuthSettings, type TSignInOutcome } from './auth/sign-in.ts';
export { changePassword, type TPasswordChangeOutcome } from './auth/password-change.ts';
export { loadPasswordChecker } from './auth/password-policy.ts';
export { FAILURE_MEMORY_MS, type TFailureState } from './auth/login-throttle.ts';
export type { TSignInStore, TRefusalTally } from './auth/sign-in-store.ts';
export { knownDeviceOf } from './auth/known-device.ts';
export { findSession, revokeSession, type TSession } from './auth/sessions.ts';
export { signInEvent } from './auth/sign-in-events.ts';
export { totpCodeAt } from './auth/totp.ts';
export { assertServerSecretOfDatabase, isInstallationSecret } from './auth/server-secret-check.ts';
export { recordServerSecret, type TRecordedSecret } from './auth/record-server-secret.ts';
export { countedKinds, unopenedCounts, type TSealedRow } from './auth/sealed-values.ts';
export { sealUrlsStoredInClear } from './streams/seal-clear-urls.ts';
export { findEvents, getEvent, prepareEventsPage } from './read/find-events.ts';
export { listBranches } from './read/list-branches.ts';
export { failedLoginsQuery, findFailedLogins } from './read/failed-logins.ts';
export { findDeviceGaps } from './read/device-gaps.ts';
export { findAiActions } from './read/ai-actions.ts';
export { leafHash, merkleRoot, EMPTY_ROOT } from './integrity/merkle.ts';
export { loadSigner, keyringOf, keyringFromFile, defaultKeyFile, type TSigner, type TKeyring } from './integrity/signing-key.ts';
export { checkpointSigningText, manifestSigningText } from './integrity/signing-text.ts';
export { createCheckpoint, listCheckpoints, allTenantIds, publishedKeys } from './integrity/checkpoints.ts';
export { publishSigningKey, assertSigningKeyPublished } from './integrity/publish-key.ts';
export { pinnedKeyring, pinnedKeys, type TTrustedKeys } from './integrity/pinned-keys.ts';
export { proveInclusion, proveConsistency, verifyProofBundle } from './integrity/proofs.ts';
export { createExportRequest, exportRequestDigest, getExport, markExportFailed, exportUrls, type TRequestedBy } from './exports/export-requests.ts';
export { expireExportFiles } from './exports/export-retention.ts';
export { expireTenantPrefix, expiredThrough, setTenantRetention, type TExpiry } from './retention/expire-prefix.ts';
export { assertTenantPresent, offboardTenant, offboardDir, storedTombstone, type TOffboarding } from './retention/offboard.ts';
export { archiveDir } from './retention/archive-pack.ts';
export { tombstoneValid, type TTombstone } from './retention/tombstone.ts';
export { verifySinceCheckpoint } from './integrity/verify-since-checkpoint.ts';
export { buildExport, exportDir, exportStatementText } from './exports/build-export.ts';
export { verifyExportPack } from './exports/verify-export.ts';
export { createMailer, exportReadyMail, mailReadyExport, type TExportMailSettings } from './exports/export-mail.ts';
export { packStoresOf, type TPackStores } from './exports/pack-stores.ts';
export { databasePackStore, PACK_CHUNK_BYTES } from './exports/database-pack-store.ts';
export { s3PackStore, S3_PART_BYTES, type TS3Client, type TS3Settings } from './exports/s3-pack-store.ts';
export type { TPackLocation, TPackStore, TPackStoreKind, TPackUpload } from './exports/pack-store.ts';
export { openExportPart, type TOpenedPart } from './exports/export-pack-read.ts';
export { listActors } from './read/list-actors.ts';
export { countEventsByDay, timelineBounds, TIMELINE_LOG_COUNT_LIMIT } from './read/timeline.ts';
export { listSavedViews, saveView, deleteSavedView } from './views/saved-views.ts';
export { listStreams, getStream, createStream, updateStream, setStreamPaused, deleteStream, checkTarget } from './streams/stream-destinations.ts';
export {
  deliverStream,
  dueStreams,
  testStream,
  leaseMs,
  streamBackoffMs,
  type TDeliveryResult,
  type TPausedStream,
} from './streams/deliver-stream.ts';
export { streamSettings, type TStreamSettings } from './streams/stream-settings.ts';
export { signWebhook } from './streams/webhook-signature.ts';
export { isPrivateAddress, checkTargetUrl } from './streams/target-guard.ts';
export { listAlertRules, updateAlertRule } from './alerts/alert-rules.ts';
export { listAlerts, getAlert, acknowledgeAlert } from './alerts/alert-views.ts';
export { evaluateTenantAlerts, type TRaisedAlert, type TAlertEvaluation } from './alerts/alert-evaluate.ts';
export { raiseChainBroken, raiseDeviceGaps } from './alerts/alert-conditions.ts';
export { alertRaisedEvent, alertSummary, ALERTS_ACTOR } from './alerts/alert-raise.ts';
export { deliverAlert, alertDeliverySettings, alertWebhookBody, type TAlertDeliverySettings } from './alerts/alert-deliver.ts';
export { addAlertWebhook, removeAlertWebhook, listAlertWebhooks } from './alerts/alert-webhooks.ts';
export { markAlertRecorded, unrecordedAlerts, alertsBehind } from './alerts/alert-bookkeeping.ts';
