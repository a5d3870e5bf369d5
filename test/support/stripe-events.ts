import { createHmac } from 'node:crypto';

/**
 * Sign a webhook body the way Stripe does (docs.stripe.com/webhooks#verify-manually): `t=<unix
 * seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint secret>`. Written here rather than
 * borrowed from the SDK, so the SDK's verification is checked against an independent signer.
 */
export function stripeSignature(payload: string, secret: string, at: Date = new Date()): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** An event as Stripe delivers it: the JSON body and its headers, ready for `inject` or `fetch`. */
export function stripeDelivery(event: object, secret: string, at: Date = new Date()) {
  const payload = JSON.stringify(event, null, 2);
  return {
    payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': stripeSignature(payload, secret, at),
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
  };
}
