import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { renderPolicy } from '../policy-text.ts';

/** The policy with its line breaks as spaces: a sentence may be folded anywhere. */
const renderPolicyFlat = (config: Parameters<typeof renderPolicy>[0]) => renderPolicy(config).replace(/\s+/g, ' ');

describe('the published policy', () => {
  it('names Stripe only when card payments through it are configured', () => {
    expect(renderPolicy(testConfig())).not.toContain('Stripe');
    const withStripe = renderPolicy(testConfig({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }));
    expect(withStripe).toContain('Card payments are made on the payment page of **Stripe**');
    expect(withStripe).toContain('We never store card or bank details or crypto keys.');
    expect(withStripe).not.toMatch(/Blockonomics|RevenueCat/);
  });

  it('names Blockonomics and RevenueCat only when bitcoin and app-store payments are configured', () => {
    const plain = renderPolicy(testConfig());
    expect(plain).not.toMatch(/Blockonomics|RevenueCat/);
    const all = renderPolicyFlat(
      testConfig({
        BLOCKONOMICS_API_KEY: 'blockonomics-key-0123456789',
        BLOCKONOMICS_CALLBACK_SECRET: 'blockonomics-callback-secret-0123456789',
        REVENUECAT_WEBHOOK_AUTH: 'Bearer revenuecat-0123456789',
      }),
    );
    expect(all).toContain('Bitcoin payments go to an address **Blockonomics** makes for each payment');
    expect(all).toContain('reported to us by **RevenueCat**');
    expect(all).not.toContain('Stripe');
  });
});
