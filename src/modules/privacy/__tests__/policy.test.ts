import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { renderPolicy } from '../policy-text.ts';

describe('the published policy', () => {
  it('names Stripe only when card payments through it are configured', () => {
    expect(renderPolicy(testConfig())).not.toContain('Stripe');
    const withStripe = renderPolicy(testConfig({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }));
    expect(withStripe).toContain('Card payments are made on the payment page of **Stripe**');
    expect(withStripe).toContain('We never store card or bank details or crypto keys.');
  });
});
