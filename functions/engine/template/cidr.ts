/**
 * Fn::Cidr: the first `count` subnets of an address block, each with `cidrBits` host bits, for
 * IPv4 and IPv6 blocks alike.
 */

/**
 * @param block the address block, e.g. `10.0.0.0/16` or `2001:db8::/56`
 * @param count how many subnets, 1 to 256
 * @param cidrBits host bits per subnet (a /24 in IPv4 has 8)
 * @throws Error saying which argument is out of range
 */
export function cidr(block: string, count: number, cidrBits: number): string[] {
  const slash = block.indexOf('/');
  if (slash < 0) throw new Error(`the block ${block} has no prefix length`);
  const address = block.slice(0, slash);
  const prefix = Number(block.slice(slash + 1));
  const v6 = address.includes(':');
  const width = v6 ? 128 : 32;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    throw new Error(`the prefix length of ${block} is not between 0 and ${width}`);
  }
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new Error(`the count ${count} is not between 1 and 256`);
  }
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || cidrBits > width - prefix) {
    throw new Error(`${cidrBits} host bits do not fit in a /${prefix} block`);
  }
  const newPrefix = width - cidrBits;
  if (BigInt(count) > 1n << BigInt(newPrefix - prefix)) {
    throw new Error(`a /${prefix} block holds fewer than ${count} subnets of /${newPrefix}`);
  }
  const base = v6 ? parseV6(address) : parseV4(address);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const network = base & ~hostMask & ((1n << BigInt(width)) - 1n);
  const step = 1n << BigInt(cidrBits);
  const out: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    const start = network + i * step;
    out.push(`${v6 ? formatV6(start) : formatV4(start)}/${newPrefix}`);
  }
  return out;
}

function parseV4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`${text} is not an IPv4 address`);
  let value = 0n;
  for (const part of parts) {
    const byte = Number(part);
    if (!/^\d{1,3}$/.test(part) || byte > 255) throw new Error(`${text} is not an IPv4 address`);
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function formatV4(value: bigint): string {
  const bytes: number[] = [];
  for (let shift = 24n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 255n));
  return bytes.join('.');
}

function parseV6(text: string): bigint {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`${text} is not an IPv6 address`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) {
    throw new Error(`${text} is not an IPv6 address`);
  }
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new Error(`${text} is not an IPv6 address`);
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function formatV6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}
