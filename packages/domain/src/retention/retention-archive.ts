/** Who an archive pack of a retention cut says made it: its manifest's generatedBy (signed, with no user). */
export const RETENTION_ARCHIVE = 'retention archive';
