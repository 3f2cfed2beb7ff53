/**
 * IP address ranges of the IpAddress and NotIpAddress operators, IPv4 and IPv6, in CIDR form
 * or as a single address.
 */

interface Range {
  v6: boolean;
  address: bigint;
  bits: number;
}

/** A single address as the range of that one address (`/32` or `/128`); other text as is. */
export function normaliseRange(text: string): string {
  if (text.includes('/')) return text;
  const range = parseRange(text);
  if (range === undefined) return text;
  return `${text}/${range.v6 ? 128 : 32}`;
}

/**
 * Whether every address of the `inner` range is in the `outer` one. Text that is not an
 * address covers only the same text.
 */
export function rangeCovers(outer: string, inner: string): boolean {
  const a = parseRange(outer);
  const b = parseRange(inner);
  if (a === undefined || b === undefined) return outer === inner;
  if (a.v6 !== b.v6 || a.bits > b.bits) return false;
  const width = a.v6 ? 128n : 32n;
  const shift = width - BigInt(a.bits);
  return a.address >> shift === b.address >> shift;
}

function parseRange(text: string): Range | undefined {
  const [host = '', prefix, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const v6 = host.includes(':');
  const address = v6 ? parseV6(host) : parseV4(host);
  const bits = prefix === undefined ? (v6 ? 128 : 32) : Number(prefix);
  if (address === undefined || !/^\d*$/.test(prefix ?? '') || bits > (v6 ? 128 : 32)) {
    return undefined;
  }
  return { v6, address, bits };
}

function parseV4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) {
    return undefined;
  }
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

function parseV6(text: string): bigint | undefined {
  // An embedded IPv4 address (::ffff:192.0.2.1) is the last two groups written another way.
  let host = text;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[2] as string);
    if (v4 === undefined) return undefined;
    host = `${dotted[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }

  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...head,
    ...new Array<string>(halves.length === 1 ? 0 : missing).fill('0'),
    ...tail,
  ];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}
