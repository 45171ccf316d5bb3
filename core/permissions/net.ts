import ipaddr from 'ipaddr.js';

/** Looks a host name up (A and AAAA). Injected: tests give a table; the app gives `dns.lookup`. */
export type HostResolver = (host: string) => Promise<string[]>;

export type UrlTarget =
  | {
      ok: true;
      /** The normalised URL (what the tool must fetch). */
      href: string;
      /** Lower case, no trailing dot; IPv6 without brackets. */
      host: string;
      port: string;
      /** Set when the host is an IP literal or a name that must never leave the machine. */
      privateReason: string | null;
      isIp: boolean;
    }
  | { ok: false; reason: string };

// Names that always mean this machine, the local network or a cloud metadata service.
const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa|lan|intranet)$/;
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** Parses a URL for `net.http`; rejects schemes other than http(s) and marks hosts that are not public. */
export function parseHttpTarget(resource: string): UrlTarget {
  if (resource.includes('\0')) return { ok: false, reason: 'the URL contains a NUL byte' };
  let url: URL;
  try {
    url = new URL(resource.trim());
  } catch {
    return { ok: false, reason: 'the URL does not parse' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `${url.protocol} URLs are not fetched; only http and https` };
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  host = host.replace(/\.+$/, '');
  if (!host) return { ok: false, reason: 'the URL has no host' };
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (ipaddr.isValid(host)) {
    return { ok: true, href: url.href, host, port, privateReason: nonPublicReason(host), isIp: true };
  }
  if (/^[0-9.]+$/.test(host) || /^0x/i.test(host)) return { ok: false, reason: 'a numeric host that is not a valid address' };
  let privateReason: string | null = null;
  if (METADATA_NAMES.has(host)) privateReason = `${host} is a cloud metadata service`;
  else if (LOCAL_NAMES.test(host) || !host.includes('.')) privateReason = `${host} names this machine or the local network`;
  return { ok: true, href: url.href, host, port, privateReason, isIp: false };
}

/** Why an address is not a public one (loopback, private, link-local, metadata, mapped), or null when it is public. */
export function nonPublicReason(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an address`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const inner = nonPublicReason(v6.toIPv4Address().toString());
      return inner ? `${address} maps to an IPv4 address: ${inner}` : null;
    }
    // The deprecated IPv4-compatible form (::a.b.c.d) embeds an IPv4 address too; none is public.
    if (v6.parts.slice(0, 6).every((p) => p === 0) && v6.range() !== 'loopback' && v6.range() !== 'unspecified') return `${address} embeds an IPv4 address (IPv4-compatible form)`;
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  const names: Record<string, string> = {
    loopback: 'a loopback address (this machine)',
    private: 'a private network address',
    linkLocal: 'a link-local address (cloud metadata services live here)',
    uniqueLocal: 'a unique-local (private) IPv6 address',
    unspecified: 'the unspecified address (this machine)',
    carrierGradeNat: 'a carrier-grade NAT address',
    broadcast: 'a broadcast address',
    multicast: 'a multicast address',
  };
  return `${address} is ${names[range] ?? `a reserved address (${range})`}`;
}

/** Resolves a name and reports the first non-public address it points to. */
export async function resolvePrivateReason(host: string, resolver: HostResolver | null): Promise<{ addresses: string[]; reason: string | null }> {
  if (!resolver) return { addresses: [], reason: null };
  let addresses: string[];
  try {
    addresses = await resolver(host);
  } catch {
    return { addresses: [], reason: null };
  }
  for (const a of addresses) {
    const reason = nonPublicReason(a);
    if (reason) return { addresses, reason: `${host} resolves to ${reason}` };
  }
  return { addresses, reason: null };
}

/** A host pattern as written in a rule: `example.com`, `*.example.com`, `*`, an address, optionally `:port`, or a URL. */
export function compileHostPattern(pattern: string): (host: string, port: string) => boolean {
  let text = pattern.trim().toLowerCase();
  if (text.includes('://')) {
    try {
      const url = new URL(text.replace('*.', 'wildcard-placeholder.'));
      text = url.hostname.replace('wildcard-placeholder.', '*.') + (url.port ? `:${url.port}` : '');
    } catch {
      return () => false;
    }
  }
  let port: string | null = null;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    text = bracket[1];
    port = bracket[2] ?? null;
  } else if (!ipaddr.IPv6.isValid(text)) {
    const m = /^(.*):(\d+)$/.exec(text);
    if (m) {
      text = m[1];
      port = m[2];
    }
  }
  text = text.replace(/\.+$/, '');
  const portOk = (p: string) => port === null || port === p;
  if (text === '*') return (_h, p) => portOk(p);
  if (ipaddr.isValid(text)) {
    const normal = ipaddr.parse(text).toNormalizedString();
    return (h, p) => portOk(p) && ipaddr.isValid(h) && ipaddr.parse(h).toNormalizedString() === normal;
  }
  if (text.startsWith('*.')) {
    const suffix = text.slice(1);
    return (h, p) => portOk(p) && h.endsWith(suffix) && h.length > suffix.length;
  }
  return (h, p) => portOk(p) && h === text;
}

/** Looks names up the way the OS would for a connection (hosts file, DNS). */
export const systemResolver: HostResolver = async (host) => {
  const { lookup } = await import('node:dns/promises');
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
};

/**
 * What the gate vetted for a `net.http` allow: the addresses the host may be reached at (the literal
 * itself for an IP host, the resolver's answer for a name; empty when nothing was resolved) and
 * whether a rule naming the host opens non-public addresses for it.
 */
export interface NetApproval {
  href: string;
  addresses: string[];
  privateAllowed: boolean;
}

// A WHATWG URL's href never holds a line break, so the vetted addresses ride on a second line.
const APPROVAL_LINE = /^addresses=([^;\n]*);private=(yes|no)$/;

/** `href` + `\naddresses=<a,b>;private=<yes|no>`: the form an allow's `resolved` takes for `net.http`. */
export function formatNetApproval(approval: NetApproval): string {
  return `${approval.href}\naddresses=${approval.addresses.join(',')};private=${approval.privateAllowed ? 'yes' : 'no'}`;
}

/** Reads `formatNetApproval`'s form back; null for anything else (a bare URL: nothing was vetted). */
export function parseNetApproval(resolved: string | undefined): NetApproval | null {
  if (!resolved) return null;
  const cut = resolved.indexOf('\n');
  if (cut < 0) return null;
  const m = APPROVAL_LINE.exec(resolved.slice(cut + 1));
  if (!m) return null;
  const addresses = m[1] ? m[1].split(',') : [];
  if (addresses.some((a) => !ipaddr.isValid(a))) return null;
  return { href: resolved.slice(0, cut), addresses, privateAllowed: m[2] === 'yes' };
}
