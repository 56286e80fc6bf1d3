import fc from 'fast-check';
import { isUuid, uuidV5 } from './deterministic-uuid';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it('matches the well-known vector (DNS namespace, "www.example.com")', () => {
    expect(uuidV5(DNS_NAMESPACE, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('accepts an upper-case namespace and gives the same id', () => {
    expect(uuidV5(DNS_NAMESPACE.toUpperCase(), 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(/namespace must be a UUID/);
  });

  it('is deterministic, version 5 with the RFC variant, and distinct for distinct names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const id = uuidV5(DNS_NAMESPACE, a);
        expect(isUuid(id)).toBe(true);
        expect(id[14]).toBe('5');
        expect('89ab').toContain(id[19]);
        expect(uuidV5(DNS_NAMESPACE, a)).toBe(id);
        if (a !== b) expect(uuidV5(DNS_NAMESPACE, b)).not.toBe(id);
      }),
    );
  });
});
