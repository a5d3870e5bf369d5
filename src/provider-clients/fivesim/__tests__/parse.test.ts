import { describe, expect, it } from 'vitest';
import { readOrder } from '../parse.ts';

describe('5sim order reader', () => {
  it('makes SMS text storable: NULs dropped, unpaired surrogates replaced (what the sender wrote cannot be refused)', () => {
    const order = readOrder(
      { status: 'RECEIVED', sms: [{ created_at: '2026-06-01T12:00:00Z', text: 'Your code\u0000 is 4821 \udc00', code: '48\u000021' }] },
      'check',
    );
    expect(order).toEqual({
      ok: true,
      value: {
        status: 'RECEIVED',
        sms: [{ code: '4821', text: 'Your code is 4821 \ufffd', receivedAt: new Date('2026-06-01T12:00:00Z') }],
      },
    });
    // Nothing left but NULs: no text at all.
    const empty = readOrder({ status: 'RECEIVED', sms: [{ text: '\u0000\u0000', code: '1234' }] }, 'check');
    expect(empty.ok && empty.value.sms[0]?.text).toBeNull();
  });
});
