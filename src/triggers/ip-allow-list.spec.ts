import fc from 'fast-check';
import { checkCidrList, CidrError, IpAllowList, MAX_ALLOW_LIST_ENTRIES, parseCidr } from './ip-allow-list';

describe('parseCidr', () => {
  it.each([
    ['203.0.113.0/24', { family: 'ipv4', address: '203.0.113.0', prefix: 24, cidr: '203.0.113.0/24' }],
    ['  10.0.0.0/8 ', { family: 'ipv4', address: '10.0.0.0', prefix: 8, cidr: '10.0.0.0/8' }],
    ['192.0.2.7', { family: 'ipv4', address: '192.0.2.7', prefix: 32, cidr: '192.0.2.7/32' }],
    ['0.0.0.0/0', { family: 'ipv4', address: '0.0.0.0', prefix: 0, cidr: '0.0.0.0/0' }],
    ['2001:DB8::/32', { family: 'ipv6', address: '2001:db8::', prefix: 32, cidr: '2001:db8::/32' }],
    ['::1', { family: 'ipv6', address: '::1', prefix: 128, cidr: '::1/128' }],
    ['::ffff:10.0.0.0/104', { family: 'ipv6', address: '::ffff:10.0.0.0', prefix: 104, cidr: '::ffff:10.0.0.0/104' }],
    ['::/0', { family: 'ipv6', address: '::', prefix: 0, cidr: '::/0' }],
  ])('accepts %j', (text, block) => {
    expect(parseCidr(text)).toEqual(block);
  });

  it.each([
    ['', /it is empty/],
    ['10.0.0.0/33', /prefix length must be a whole number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/08', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/8/8', /prefix length/],
    ['10.0.0.256/32', /neither IPv4 .* nor IPv6/],
    ['010.0.0.0/8', /neither IPv4/],
    ['example.com/24', /neither IPv4/],
    ['fe80::1%eth0/64', /zone ids/],
    ['10.0.0.1/8', /host bits are set after \/8; did you mean 10\.0\.0\.0\/8\?/],
    ['192.168.1.130/25', /did you mean 192\.168\.1\.128\/25\?/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32\?/],
    ['2001:db8:0:0:1::/48', /did you mean 2001:db8::\/48\?/],
    ['::ffff:10.1.2.3/104', /did you mean ::ffff:a00:0\/104\?/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseCidr(text)).toThrow(CidrError);
    expect(() => parseCidr(text)).toThrow(message);
  });
});

describe('checkCidrList', () => {
  it('reports every bad entry with its index', () => {
    expect(checkCidrList(['10.0.0.0/8', 'nope', '2001:db8::/32', '1.2.3.4/40'])).toEqual({
      ok: false,
      errors: [
        { index: 1, entry: 'nope', message: expect.stringContaining('"nope" is not a valid CIDR block') },
        { index: 3, entry: '1.2.3.4/40', message: expect.stringContaining('prefix length') },
      ],
    });
  });

  it('refuses an empty list (it would block everyone) and an oversized one', () => {
    expect(checkCidrList([])).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/reject every caller; remove the list/) }] });
    const many = Array.from({ length: MAX_ALLOW_LIST_ENTRIES + 1 }, (_, i) => `10.0.${i % 256}.${Math.floor(i / 256)}`);
    expect(checkCidrList(many)).toMatchObject({ ok: false });
    expect(() => IpAllowList.parse([])).toThrow(RangeError);
    expect(() => IpAllowList.parse(['10.0.0.0/8', 'bad'])).toThrow(CidrError);
  });
});

describe('IpAllowList.allows', () => {
  const list = IpAllowList.parse(['203.0.113.0/24', '127.0.0.1', '2001:db8:abcd::/48']);

  it.each([
    ['203.0.113.0', true],
    ['203.0.113.255', true],
    ['203.0.114.0', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['::ffff:127.0.0.1', true], // what a dual-stack server socket reports for an IPv4 peer
    ['::FFFF:203.0.113.9', true],
    ['::ffff:7f00:1', true], // the same mapped address in hex
    ['::ffff:10.0.0.1', false],
    ['::127.0.0.1', false], // IPv4-compatible (deprecated), not mapped
    ['2001:db8:abcd:12::1', true],
    ['2001:db8:abce::1', false],
    ['::1', false],
    ['', false],
    ['localhost', false],
    ['203.0.113.1:443', false],
  ])('%j -> %s', (address, allowed) => {
    expect(list.allows(address)).toBe(allowed);
  });

  it('denies a missing address and ignores a link-local zone id', () => {
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows(null)).toBe(false);
    expect(IpAllowList.parse(['fe80::/10']).allows('fe80::1%eth0')).toBe(true);
  });

  it('an IPv6 rule for the mapped range also admits plain IPv4 peers', () => {
    expect(IpAllowList.parse(['::ffff:0:0/96']).allows('198.51.100.4')).toBe(true);
  });

  it('agrees with arithmetic on IPv4 prefixes for any block and address', () => {
    const toInt = (o: number[]) => ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), octets, (net, prefix, probe) => {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const network = (toInt(net) & mask) >>> 0;
        const text = [24, 16, 8, 0].map((shift) => (network >>> shift) & 0xff).join('.');
        const allowList = IpAllowList.parse([`${text}/${prefix}`]);
        const inside = ((toInt(probe) & mask) >>> 0) === network;
        expect(allowList.allows(probe.join('.'))).toBe(inside);
        expect(allowList.allows(`::ffff:${probe.join('.')}`)).toBe(inside);
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (address) => {
        expect(typeof list.allows(address)).toBe('boolean');
      }),
    );
  });

  it('spots host bits in any IPv6 block, and the suggested block parses and contains the address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }), (bytes, prefix) => {
        const full = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16)).join(':');
        const address = new URL(`http://[${full}]/`).hostname.slice(1, -1); // WHATWG's compressed form
        const hostBitsSet = Array.from(bytes).some((byte, i) => (byte & (0xff >> Math.max(0, Math.min(8, prefix - 8 * i)))) !== 0);
        // The same address with a dotted IPv4 tail must behave the same.
        const dotted = `${full.split(':').slice(0, 6).join(':')}:${Array.from(bytes.slice(12)).join('.')}`;
        if (hostBitsSet) expect(() => parseCidr(`${dotted}/${prefix}`)).toThrow(/host bits/);
        else expect(parseCidr(`${dotted}/${prefix}`).prefix).toBe(prefix);
        if (!hostBitsSet) {
          expect(parseCidr(`${address}/${prefix}`).prefix).toBe(prefix);
          return;
        }
        let suggestion = '';
        try {
          parseCidr(`${address}/${prefix}`);
        } catch (error) {
          suggestion = /did you mean (\S+)\?/.exec((error as Error).message)?.[1] ?? '';
        }
        expect(suggestion).not.toBe('');
        expect(IpAllowList.parse([suggestion]).allows(address)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('parses every IPv6 address fast-check can write, and a /128 of it admits that address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const single = IpAllowList.parse([address]);
        expect(single.allows(address)).toBe(true);
      }),
    );
  });
});
