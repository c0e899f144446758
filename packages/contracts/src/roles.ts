import { z } from 'zod';

/** The roles of a tenant's staff (an actor's role is captured as it was at the time). */
export const ROLES = ['ADMIN', 'MANAGER', 'CASHIER'] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;
