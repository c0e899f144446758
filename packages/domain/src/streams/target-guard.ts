import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../app-error.ts';

/** What an installation allows its streams to reach (STREAM_ALLOW_HTTP, STREAM_ALLOW_PRIVATE_ADDRESSES). */
export interface TTargetPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

// Addresses a tenant must not make the service call (SSRF): the host itself, the private networks
// it may sit in, link-local (cloud metadata at 169.254.169.254), and the non-routable ranges.
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Whether `address` is one a stream may not reach without STREAM_ALLOW_PRIVATE_ADDRESSES. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, 'ipv6');
}

/**
 * Checks a destination URL when it is saved: https (http only where the installation allows it),
 * no credentials in it, and — when its host is an address — not a private one. Names are checked
 * again at every connection (guardedLookup), so a name that later resolves inward is refused too.
 */
export function checkTargetUrl(raw: string, policy: TTargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', `not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp))
    throw new AppError('VALIDATION_FAILED', `${url.origin}: streams deliver over https:// only (STREAM_ALLOW_HTTP allows http:// for tests)`);
  if (url.username || url.password) throw new AppError('VALIDATION_FAILED', 'put the credential in the secret, not in the URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host))))
    throw new AppError(
      'VALIDATION_FAILED',
      `${url.host} is a private or loopback address: refused (an operator may allow it with STREAM_ALLOW_PRIVATE_ADDRESSES)`,
    );
  return url;
}

/**
 * A DNS lookup for the sockets of stream deliveries that refuses private addresses (unless allowed):
 * checked on the address actually connected to, so DNS rebinding cannot turn a public name inward.
 */
export function guardedLookup(policy: TTargetPolicy): LookupFunction {
  return ((hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const refused = policy.allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const e = Object.assign(new Error(`${hostname} resolves to a private address: refused (STREAM_ALLOW_PRIVATE_ADDRESSES)`), {
          code: 'EPRIVATEADDRESS',
        });
        return callback(e, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
