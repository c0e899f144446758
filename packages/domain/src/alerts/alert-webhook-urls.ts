import { decryptSecret, encryptSecret } from '../auth/server-keys.ts';
import { REDACTED } from '../ingest/redaction.ts';
import { displayUrl, urlCarriesCredential } from '../streams/stream-urls.ts';

/**
 * An alert webhook URL that may be its own credential (a Slack, Discord, Teams or Zapier webhook:
 * whoever has it posts to the channel; any URL with a path or query) is kept as log streams keep
 * theirs (stream-urls.ts, the same rule) and as the webhook's signing secret is kept (AES-256-GCM
 * under a key derived from the server secret, a purpose of its own). alert_webhooks.url then holds
 * its display form and the sealed URL after a '#': `https://hooks.slack.com/[REDACTED]#v1.…`. The
 * display form is what the listings, the alert's delivery (alert_deliveries.target) and the log
 * show; only a delivery opens the rest. A bare origin is kept as given.
 */
const URL_PURPOSE = 'alert-webhook-url';
/** Where the display form of a stored credential URL ends and its sealed URL begins. */
const SEALED_MARK = `/${REDACTED}#`;

/** True for a URL given back in its display form (or any URL holding the marker): not one to post to. */
export function isShownForm(url: string): boolean {
  return url.includes(REDACTED);
}

/** What alert_webhooks.url keeps of a checked URL: the display form and the sealed URL, or the URL itself. */
export function storedWebhookUrl(serverSecret: Buffer, url: string): string {
  if (!urlCarriesCredential(url)) return url;
  return `${displayUrl(url)}#${encryptSecret(serverSecret, url, URL_PURPOSE)}`;
}

function sealedPart(stored: string): string | undefined {
  const at = stored.indexOf(SEALED_MARK);
  return at < 0 ? undefined : stored.slice(at + SEALED_MARK.length);
}

/** The URL as Admins see it; a credential URL an earlier version stored in clear is shown as its display form too. */
export function shownWebhookUrl(stored: string): string {
  const at = stored.indexOf(SEALED_MARK);
  if (at >= 0) return stored.slice(0, at + SEALED_MARK.length - 1);
  return urlCarriesCredential(stored) ? displayUrl(stored) : stored;
}

/** The URL a delivery posts to: the sealed one opened (throws under another server secret). */
export function sendableWebhookUrl(serverSecret: Buffer, stored: string): string {
  const sealed = sealedPart(stored);
  return sealed === undefined ? stored : decryptSecret(serverSecret, sealed, URL_PURPOSE);
}

/** True for a credential URL an earlier version stored in clear: sealed when next read (lazy reseal). */
export function needsReseal(stored: string): boolean {
  return sealedPart(stored) === undefined && urlCarriesCredential(stored);
}
