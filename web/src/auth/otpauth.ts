/** What an `otpauth://totp/Issuer:account?secret=…&issuer=…` URL names. */
export interface TOtpauth {
  secret: string | null;
  issuer: string | null;
  account: string | null;
}

export function parseOtpauthUrl(url: string): TOtpauth {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { secret: null, issuer: null, account: null };
  }
  if (parsed.protocol !== 'otpauth:') return { secret: null, issuer: null, account: null };
  const label = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
  const [labelIssuer, labelAccount] = label.includes(':') ? label.split(/:(.*)/s) : [null, label];
  return {
    secret: parsed.searchParams.get('secret'),
    issuer: parsed.searchParams.get('issuer') ?? labelIssuer ?? null,
    account: labelAccount?.trim() || null,
  };
}

/** The base32 secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (
    secret
      .replace(/\s+/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}
