import { hash, verify } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../accounts/users.ts';

/** Computed once: unknown emails are checked against it so they cost as much time as a real account. */
let dummyHash: Promise<string> | undefined;

/** Whether `password` matches `passwordHash`; with no hash (unknown account) a dummy is verified and false returned. */
export async function checkPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash('not a real password, only here to spend the same time', ARGON2_OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
