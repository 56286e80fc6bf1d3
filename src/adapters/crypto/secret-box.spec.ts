import { SecretBox, isSealed } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('a passphrase from configuration');
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('seals a secret so the stored text does not contain it, and opens it again', () => {
    const sealed = box.seal(secret);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(box.seal(secret)).not.toBe(sealed); // a fresh IV each time
  });

  it('reads a value written before a key was set as it is', () => {
    expect(box.open(secret)).toBe(secret);
  });

  it('refuses a value sealed under another key, or altered', () => {
    const sealed = box.seal(secret);
    expect(() => new SecretBox('another key').open(sealed)).toThrow();
    const [iv, tag, data] = sealed.slice('enc:v1:'.length).split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open(`enc:v1:${iv}.${tag}.${flipped.toString('base64url')}`)).toThrow();
    expect(() => box.open('enc:v1:nothing')).toThrow();
  });
});
