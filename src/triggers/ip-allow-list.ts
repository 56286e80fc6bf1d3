import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Optional per-trigger IP allow list of CIDR blocks (IPv4 and IPv6). Matching uses node:net BlockList, which also
 * treats an IPv4-mapped IPv6 peer (`::ffff:203.0.113.7`, what a dual-stack socket reports) as its IPv4 address.
 *
 * A trigger without a list accepts any address; an EMPTY list is refused when configured, because "nobody may
 * call this webhook" is almost certainly a mistake and would look like a broken integration.
 */

export const MAX_ALLOW_LIST_ENTRIES = 256;

export interface CidrBlock {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
  /** `address/prefix`, the form we store and show back. */
  readonly cidr: string;
}

export class CidrError extends Error {
  constructor(
    readonly entry: string,
    message: string,
  ) {
    super(message);
    this.name = 'CidrError';
  }
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address (a /32 or /128). Throws CidrError. */
export function parseCidr(text: string): CidrBlock {
  if (typeof text !== 'string') throw new CidrError(String(text), 'a CIDR block is a string such as "203.0.113.0/24"');
  const entry = text.trim();
  const fail = (why: string) => new CidrError(entry, `"${entry.slice(0, 100)}" is not a valid CIDR block: ${why}`);
  if (entry === '') throw fail('it is empty');
  const slash = entry.indexOf('/');
  const address = (slash === -1 ? entry : entry.slice(0, slash)).toLowerCase();
  const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
  if (address.includes('%')) throw fail('zone ids (%eth0) are not allowed');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) throw fail('the address is neither IPv4 (203.0.113.0) nor IPv6 (2001:db8::)');
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      throw fail(`the prefix length must be a whole number from 0 to ${maxPrefix}`);
    }
    prefix = Number(prefixText);
  }
  // Host bits set usually means a typo (10.0.0.1/8 for 10.0.0.0/8); saying so beats silently widening the block.
  const bytes = family === 'ipv4' ? ipv4Bytes(address) : ipv6Bytes(address);
  const network = maskBytes(bytes, prefix);
  if (!network.every((byte, i) => byte === bytes[i])) {
    throw fail(`host bits are set after /${prefix}; did you mean ${formatNetwork(family, network)}/${prefix}?`);
  }
  return { family, address, prefix, cidr: `${address}/${prefix}` };
}

export type CidrListCheck = { ok: true; blocks: CidrBlock[] } | { ok: false; errors: { index: number; entry: string; message: string }[] };

/** For request validation: every bad entry with its position, never throws. */
export function checkCidrList(entries: readonly string[]): CidrListCheck {
  if (!Array.isArray(entries)) return { ok: false, errors: [{ index: -1, entry: '', message: 'the IP allow list must be an array of CIDR blocks' }] };
  if (entries.length === 0) {
    return { ok: false, errors: [{ index: -1, entry: '', message: 'an empty IP allow list would reject every caller; remove the list to accept any address' }] };
  }
  if (entries.length > MAX_ALLOW_LIST_ENTRIES) {
    return { ok: false, errors: [{ index: -1, entry: '', message: `an IP allow list holds at most ${MAX_ALLOW_LIST_ENTRIES} blocks` }] };
  }
  const blocks: CidrBlock[] = [];
  const errors: { index: number; entry: string; message: string }[] = [];
  entries.forEach((entry, index) => {
    try {
      blocks.push(parseCidr(entry));
    } catch (error) {
      if (!(error instanceof CidrError)) throw error;
      errors.push({ index, entry: error.entry, message: error.message });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, blocks };
}

export class IpAllowList {
  private constructor(
    readonly blocks: readonly CidrBlock[],
    private readonly list: BlockList,
  ) {}

  /** Throws CidrError (the first bad entry) or RangeError (empty / too long). */
  static parse(entries: readonly string[]): IpAllowList {
    const checked = checkCidrList(entries);
    if (!checked.ok) {
      const [first] = checked.errors;
      throw first.index === -1 ? new RangeError(first.message) : new CidrError(first.entry, first.message);
    }
    const list = new BlockList();
    for (const block of checked.blocks) list.addSubnet(block.address, block.prefix, block.family);
    return new IpAllowList(checked.blocks, list);
  }

  /** The peer address as Node reports it; anything unparsable (or missing) is not allowed. Never throws. */
  allows(remoteAddress: string | undefined | null): boolean {
    if (typeof remoteAddress !== 'string') return false;
    const address = remoteAddress.split('%')[0]; // link-local peers carry a zone id
    if (isIPv4(address)) return this.list.check(address, 'ipv4');
    if (isIPv6(address)) return this.list.check(address, 'ipv6');
    return false;
  }
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

// Only called on strings net.isIPv6 accepted (no zone id), so the shape is known to be valid.
function ipv6Bytes(address: string): number[] {
  let text = address;
  if (text.includes('.')) {
    // Embedded IPv4 tail (::ffff:192.0.2.1): rewrite it as the two hex groups it stands for.
    const lastColon = text.lastIndexOf(':');
    const [a, b, c, d] = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function maskBytes(bytes: number[], prefix: number): number[] {
  return bytes.map((byte, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

function formatNetwork(family: 'ipv4' | 'ipv6', bytes: number[]): string {
  if (family === 'ipv4') return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Compress the longest run of zero groups, as people write them.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  const left = groups.slice(0, best.start).join(':');
  const right = groups.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}
