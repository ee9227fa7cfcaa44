/** Which listen addresses only this machine can reach (the line between "anyone may" and "log in"). */

/**
 * Loopback: `localhost`, `::1` (bracketed or not) and 127.0.0.0/8. Everything else, including
 * the wildcards `0.0.0.0` and `::`, is reachable from the network.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
