/** The part of a pino logger this needs. */
interface TErrorLog {
  error(obj: object, msg: string): void;
}

/**
 * Ends the process after `seconds` if a graceful shutdown has not by then: a request or job that
 * hangs (a database that stopped answering, say) must not keep a SIGTERMed process alive.
 */
export function exitAfter(seconds: number, log: TErrorLog): void {
  setTimeout(() => {
    log.error({ seconds }, 'shutdown did not finish in SHUTDOWN_TIMEOUT_SECONDS; exiting, unfinished jobs run again');
    process.exit(1);
  }, seconds * 1000);
}
