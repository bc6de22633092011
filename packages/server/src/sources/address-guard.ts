import { BlockList, isIP } from "node:net";

/**
 * Addresses a fetch of an untrusted URL must never reach (SSRF): loopback, private, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved and unspecified.
 * Checked on the address the socket actually connects to, after DNS, so a public name that
 * resolves to 10.0.0.5 (or re-resolves to it: DNS rebinding) is refused as well.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  BLOCKED.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  BLOCKED.addSubnet(net, prefix, "ipv6");

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 and is judged as such. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/**
 * Why `address` may not be fetched, or null when it may. `allow` lists exact addresses that are
 * let through anyway (tests serve from 127.0.0.1; an operator may allow an internal mirror).
 */
export function blockedAddressReason(address: string, allow: ReadonlySet<string>): string | null {
  const a = unmapped(address);
  if (allow.has(a) || allow.has(address)) return null;
  const family = isIP(a);
  if (family === 0) return `"${address}" is not an IP address`;
  if (BLOCKED.check(a, family === 4 ? "ipv4" : "ipv6"))
    return `${a} is a private, loopback, link-local or reserved address`;
  return null;
}
