import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';

/** One CLI command: the registry (index.ts) maps its words to it; main.ts parses its options and runs it. */
export interface TCommand {
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * `--tenant`, a UUID in the one spelling stored, hashed and signed (lower case): the contract makes an
 * upper-case id the same tenant, and a checkpoint or manifest signed over another spelling verifies nowhere.
 */
export function tenantOption(values: Record<string, unknown>): string {
  return z
    .uuid({ error: '--tenant must be a tenant id (UUID)' })
    .transform((id) => id.toLowerCase())
    .parse(required(values, 'tenant'));
}
