import { parseArgs } from 'node:util';
import { AppError } from '@modula/domain';
import { ConfigError } from '@modula/config';
import { ZodError } from 'zod';
import { COMMANDS, usage } from './commands/index.ts';

/** Prints JSON on stdout (for scripts), messages on stderr, and exits non-zero on any failure. */
async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const key = COMMANDS[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : (words[0] ?? '');
  const command = COMMANDS[key];
  if (!command) {
    console.error(usage());
    return 64;
  }
  const rest = argv.slice(argv.indexOf(key.split(' ').at(-1)!) + 1);
  const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  return command.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof AppError || err instanceof ConfigError) console.error(err.message);
    // an option that does not parse (a name where an id goes): its message, not zod's dump and a stack
    else if (err instanceof ZodError) console.error(err.issues.map((i) => i.message).join('\n'));
    else if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${usage()}`);
    else console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
