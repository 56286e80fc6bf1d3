import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Secrets kept at rest encrypted (AES-256-GCM) under a key from configuration
 * (`WEBHOOK_SECRETS_KEY`), so that a copy of the database alone does not give them away. A value
 * is stored as `enc:v1:<iv>.<tag>.<ciphertext>` (base64url); a value without the prefix is plain
 * text (written before a key was set, or with none set) and is read as it is.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** Any passphrase: the AES key is its SHA-256. */
  constructor(passphrase: string) {
    this.key = createHash('sha256').update(passphrase, 'utf8').digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** The plain text; throws when the value was sealed under another key or altered. */
  open(stored: string): string {
    if (!isSealed(stored)) return stored;
    const [iv, tag, data] = stored.slice(PREFIX.length).split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !data) throw new Error('A sealed secret is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}

export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);
