import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { streamErrorText } from './stream-text.ts';

const refusal = (code: string, message: string) => TRPCClientError.from({ error: { message, code: -32600, data: { code, httpStatus: 400 } } });
const spanish = (key: string) => `es:${key}`;

/** The edit dialog's refusals: a code that says it all in the user's language, else the service's sentence. */
describe('streamErrorText, for the codes that say it all', () => {
  it('says a vanished stream, a name taken and a missing role in the user’s language', () => {
    expect(streamErrorText(refusal('NOT_FOUND', 'log stream not found'))).toBe('This log stream no longer exists: it may have been deleted meanwhile.');
    expect(streamErrorText(refusal('CONFLICT', 'a log stream named "SIEM" exists'))).toBe('A log stream with this name already exists: choose another name.');
    expect(streamErrorText(refusal('CONFLICT', 'a log stream named "SIEM" exists'), spanish)).toBe('es:streams.errors.conflict');
    expect(streamErrorText(refusal('FORBIDDEN', 'admins only'), spanish)).toBe('es:streams.errors.forbidden');
  });

  it('says that someone else changed the stream since the dialog opened, not that its name is taken', () => {
    const stale = 'the log stream "SIEM" was changed at 2026-12-02T12:00:00.000Z, after the version this change was made from';
    expect(streamErrorText(refusal('PRECONDITION_FAILED', stale))).toBe(
      'Someone changed this log stream after you opened it. Close this dialog and open it again to see their change, then make yours.',
    );
    expect(streamErrorText(refusal('PRECONDITION_FAILED', stale), spanish)).toBe('es:streams.errors.stale');
  });

  it('keeps the service’s own sentence where the code alone does not say what to fix', () => {
    const moved = "the stream's credential is sent to its host: give it again (secret) to send it to https://collector.example.net:8088";
    expect(streamErrorText(refusal('BAD_REQUEST', moved), spanish)).toBe(moved);
    expect(streamErrorText(refusal('toString', 'odd code'))).toBe('odd code');
  });
});
