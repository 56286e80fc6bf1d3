import fc from 'fast-check';
import { replayRetentionSeconds, webhookDeliveryId } from './replay-window';

describe('webhookDeliveryId', () => {
  const triggerId = '3f1c7a52-8d0e-4b7e-9a55-0c2d1e6f4a10';

  it('is the same UUID for a retry of the same delivery (same trigger and webhook-id, any timestamp)', () => {
    const id = webhookDeliveryId(triggerId, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(webhookDeliveryId(triggerId, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toBe(id);
  });

  it('differs between triggers and between webhook ids, including ids that only differ in where "/" falls', () => {
    expect(webhookDeliveryId('a/b', 'c')).not.toBe(webhookDeliveryId('a', 'b/c'));
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (t1, t2, w1, w2) => {
        fc.pre(t1 !== t2 && w1 !== w2);
        expect(webhookDeliveryId(t1, w1)).not.toBe(webhookDeliveryId(t2, w1));
        expect(webhookDeliveryId(t1, w1)).not.toBe(webhookDeliveryId(t1, w2));
      }),
    );
  });

  it('requires both parts', () => {
    expect(() => webhookDeliveryId('', 'm')).toThrow(TypeError);
    expect(() => webhookDeliveryId(triggerId, '')).toThrow(TypeError);
  });
});

describe('replayRetentionSeconds', () => {
  it('is twice the tolerance: a timestamp 300 s in the future stays acceptable until 600 s after first sight', () => {
    expect(replayRetentionSeconds()).toBe(600);
    expect(replayRetentionSeconds(60)).toBe(120);
    expect(() => replayRetentionSeconds(-1)).toThrow(RangeError);
  });
});
