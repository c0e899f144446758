/**
 * A refusal to start that the operator must fix (the database login, the server secret): the
 * server and the worker exit 78 (EX_CONFIG) with its message. Any other error at start is a crash,
 * with its stack, for a supervisor to retry.
 */
export class NotStarting extends Error {
  override name = 'NotStarting';
}
