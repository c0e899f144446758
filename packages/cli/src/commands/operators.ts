import { createOperator, listOperators, revokeOperator } from '@modula/domain';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

/** Who ran the command (OS user@host), recorded with the creation or revocation in operator_actions. */
const byWhom = () => (operatorActor().id ?? 'unknown').replace(/^operator:/, '');

export const operatorCreate: TCommand = {
  summary:
    "Creates an operator credential for the queue dashboard (/admin/queues, HTTP Basic: the name and the secret), separate from every tenant's accounts; " +
    'prints {"name","secret"} (the secret is shown only once; only its SHA-256 is stored). Names are never reused.',
  options: { name: { type: 'string' } },
  async run(values) {
    const name = required(values, 'name');
    printJson(await withOrm((orm) => createOperator(orm, name, byWhom())));
    return 0;
  },
};

export const operatorList: TCommand = {
  summary: 'Lists the operators, oldest first: {"items":[{"name","createdAt","revokedAt"}]} (secrets are never stored).',
  options: {},
  async run() {
    printJson({ items: await withOrm((orm) => listOperators(orm)) });
    return 0;
  },
};

export const operatorRevoke: TCommand = {
  summary: 'Revokes an operator for good: the next request with their credential is refused (401); prints {"name","revokedAt"}.',
  options: { name: { type: 'string' } },
  async run(values) {
    const name = required(values, 'name');
    const revoked = await withOrm((orm) => revokeOperator(orm, name, byWhom()));
    if (!revoked) {
      console.error(`no operator named ${name}`);
      return 1;
    }
    printJson(revoked);
    return 0;
  },
};
