import { describe, expect, it } from 'vitest';
import { groupSecret, parseOtpauthUrl } from './otpauth.ts';

describe('parseOtpauthUrl', () => {
  it('reads the secret, the issuer and the account', () => {
    expect(
      parseOtpauthUrl('otpauth://totp/Modula%20Audit:ada%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Modula%20Audit&algorithm=SHA1&digits=6&period=30'),
    ).toEqual({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'Modula Audit', account: 'ada@example.test' });
  });

  it('takes the issuer from the label when the parameter is missing', () => {
    expect(parseOtpauthUrl('otpauth://totp/Acme:bob?secret=ABC')).toEqual({ secret: 'ABC', issuer: 'Acme', account: 'bob' });
    expect(parseOtpauthUrl('otpauth://totp/bob?secret=ABC')).toEqual({ secret: 'ABC', issuer: null, account: 'bob' });
  });

  it('gives nothing for something that is not an otpauth URL', () => {
    expect(parseOtpauthUrl('https://example.test/?secret=ABC')).toEqual({ secret: null, issuer: null, account: null });
    expect(parseOtpauthUrl('not a url')).toEqual({ secret: null, issuer: null, account: null });
  });
});

describe('groupSecret', () => {
  it('groups by four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
    expect(groupSecret('')).toBe('');
  });
});
