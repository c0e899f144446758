/** Who an archive pack of a retention cut says made it: its manifest's generatedBy (signed, with no user). */
export const RETENTION_ARCHIVE = 'retention archive';

/** Who the final pack of an offboarding says made it (its manifest's generatedBy, with no user). */
export const OFFBOARDING_PACK = 'offboarding: final pack';

/**
 * The requesters of the packs a cut or an offboarding writes itself, in its own process (no worker,
 * no queue): a run killed meanwhile leaves its row PENDING for good, so the tenant's export limits,
 * which count what the workers build for it, leave them out.
 */
export const ARCHIVE_MAKERS: readonly string[] = [RETENTION_ARCHIVE, OFFBOARDING_PACK];
