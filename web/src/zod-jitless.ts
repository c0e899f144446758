import { z } from 'zod';

/**
 * The viewer runs under a Content-Security-Policy without 'unsafe-eval'. Zod 4 compiles object
 * parsers with `Function` when it may, and finds out by trying `Function('')` on first use: under
 * the policy that try is refused (caught, so Zod falls back) but reported as a CSP violation.
 * Jitless mode never tries.
 */
z.config({ jitless: true });
