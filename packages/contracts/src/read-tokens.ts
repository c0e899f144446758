import { z } from 'zod';
import { stringProblem, ZUuid } from './safe-values.ts';

/**
 * Read tokens (issue 16, item 1): a tenant's credential for machines that read its log
 * (`events.list`, `events.get`, `exports.*`, the NDJSON pull) and nothing else. Always expiring.
 */
export const READ_TOKEN_DEFAULT_DAYS = 90;
export const READ_TOKEN_MAX_DAYS = 365;
/** Every read token starts so: an ingest API key (`mak_`) never reads and a read token never ingests. */
export const READ_TOKEN_PREFIX = 'mrt_';

/** A token as listed: never the token itself (only its SHA-256 is stored). */
export const ZReadToken = z.object({
  id: z.uuid(),
  name: z.string(),
  /** Who made it: an Admin's name or email, or the operator at the CLI. */
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** When it last authenticated a request (to the minute), null if never. */
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TReadToken = z.infer<typeof ZReadToken>;

export const ZReadTokensListOutput = z.object({ items: z.array(ZReadToken) });

/** A token's name: stored, and the label of its events, so text PostgreSQL keeps as sent (stringProblem). */
export const ZReadTokenName = z
  .string()
  .trim()
  .min(1, { error: 'name the token (e.g. the tool that uses it)' })
  .max(80, { error: 'a token name has at most 80 characters' })
  .superRefine((name, ctx) => {
    const problem = stringProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const ZReadTokenCreateInput = z.strictObject({
  name: ZReadTokenName,
  /** Days until it expires: every token expires, at most a year after it is made. */
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(READ_TOKEN_MAX_DAYS, { error: `a read token lasts at most ${READ_TOKEN_MAX_DAYS} days` })
    .default(READ_TOKEN_DEFAULT_DAYS),
});
export type TReadTokenCreateInput = z.input<typeof ZReadTokenCreateInput>;

/** `token` is shown this once: the service keeps only its hash. */
export const ZReadTokenCreateOutput = z.object({ tokenId: z.uuid(), token: z.string(), expiresAt: z.string() });
export type TReadTokenCreateOutput = z.infer<typeof ZReadTokenCreateOutput>;

export const ZReadTokenRevokeInput = z.strictObject({ tokenId: ZUuid });
