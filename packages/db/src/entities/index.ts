export { Tenant } from './tenant.entity.ts';
export { ApiKey } from './api-key.entity.ts';
export { User } from './user.entity.ts';
export { Branch } from './branch.entity.ts';
export { ChainHead } from './chain-head.entity.ts';
export { FreezeTransition } from './freeze-transition.entity.ts';
export { QuarantinedEvent } from './quarantined-event.entity.ts';
export { AuditEvent } from './audit-event.entity.ts';
import { Tenant } from './tenant.entity.ts';
import { ApiKey } from './api-key.entity.ts';
import { User } from './user.entity.ts';
import { Branch } from './branch.entity.ts';
import { ChainHead } from './chain-head.entity.ts';
import { FreezeTransition } from './freeze-transition.entity.ts';
import { QuarantinedEvent } from './quarantined-event.entity.ts';
import { AuditEvent } from './audit-event.entity.ts';

export const ENTITIES = [Tenant, ApiKey, User, Branch, ChainHead, FreezeTransition, QuarantinedEvent, AuditEvent];
