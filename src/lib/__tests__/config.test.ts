import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../config.ts';

function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      publicUrl: 'http://127.0.0.1:8080',
      secureCookies: false,
      logLevel: 'info',
      sandbox: 'auto',
      sandboxSmsDelayMs: 4000,
      activationTtlS: 1200,
      cancelMinS: 120,
      smsStorage: 'history',
      minAge: 18,
      apiRateLimit: 1200,
      publicRateLimit: 600,
      maxActiveActivations: 20,
      smtpUrl: undefined,
      trustProxy: false,
    });
  });

  it('enables Stripe exactly when its key and webhook secret are set, and refuses half of it', () => {
    expect(loadConfig({}).stripe).toBeUndefined();
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).stripe).toEqual({
      secretKey: 'sk_test_abc',
      webhookSecret: 'whsec_abc',
      apiBase: undefined,
    });
    expect(
      loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe
        ?.apiBase,
    ).toBe('http://127.0.0.1:12111');
    expect(problemsOf({ STRIPE_SECRET_KEY: 'sk_test_abc' }).map((p) => p.variable)).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(problemsOf({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).map((p) => p.variable)).toEqual(['STRIPE_SECRET_KEY']);
    const wrong = problemsOf({ STRIPE_SECRET_KEY: 'pk_live_abc', STRIPE_WEBHOOK_SECRET: 'secret' });
    expect(wrong.map((p) => p.variable).sort()).toEqual(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
    // Never echoed: a key or secret is described by its length only.
    expect(JSON.stringify(wrong)).not.toContain('pk_live_abc');
  });

  it('enables Blockonomics exactly when its key and callback secret are set, with 2 confirmations unless told', () => {
    const secret = 'cb-secret-0123456789abcdef';
    expect(loadConfig({}).blockonomics).toBeUndefined();
    expect(loadConfig({ BLOCKONOMICS_API_KEY: 'bk_live_key_1234', BLOCKONOMICS_CALLBACK_SECRET: secret }).blockonomics).toEqual({
      apiKey: 'bk_live_key_1234',
      callbackSecret: secret,
      apiBase: undefined,
      confirmations: 2,
    });
    expect(
      loadConfig({
        BLOCKONOMICS_API_KEY: 'bk_live_key_1234',
        BLOCKONOMICS_CALLBACK_SECRET: secret,
        BLOCKONOMICS_CONFIRMATIONS: '0',
        BLOCKONOMICS_API_BASE: 'http://127.0.0.1:9',
      }).blockonomics,
    ).toMatchObject({ confirmations: 0, apiBase: 'http://127.0.0.1:9' });
    expect(problemsOf({ BLOCKONOMICS_API_KEY: 'bk_live_key_1234' }).map((p) => p.variable)).toEqual(['BLOCKONOMICS_CALLBACK_SECRET']);
    expect(problemsOf({ BLOCKONOMICS_CALLBACK_SECRET: secret }).map((p) => p.variable)).toEqual(['BLOCKONOMICS_API_KEY']);
    expect(problemsOf({ BLOCKONOMICS_CONFIRMATIONS: '6' }).map((p) => p.variable)).toEqual(['BLOCKONOMICS_CONFIRMATIONS']);
    const short = problemsOf({ BLOCKONOMICS_API_KEY: 'bk_live_key_1234', BLOCKONOMICS_CALLBACK_SECRET: 'short&x' });
    expect(short.map((p) => p.variable)).toEqual(['BLOCKONOMICS_CALLBACK_SECRET']);
    expect(JSON.stringify(short)).not.toContain('short&x');
  });

  it('enables RevenueCat exactly when its Authorization value is set, and never echoes it', () => {
    expect(loadConfig({}).revenuecat).toBeUndefined();
    expect(loadConfig({ REVENUECAT_WEBHOOK_AUTH: 'Bearer rc-0123456789abcdef' }).revenuecat).toEqual({
      webhookAuth: 'Bearer rc-0123456789abcdef',
    });
    const problems = problemsOf({ REVENUECAT_WEBHOOK_AUTH: 'Bearer x' });
    expect(problems.map((p) => p.variable)).toEqual(['REVENUECAT_WEBHOOK_AUTH']);
    expect(JSON.stringify(problems)).not.toContain('Bearer x');
  });

  it('knows every variable of the public contract', () => {
    for (const name of [
      'PORT',
      'HOST',
      'DATA_DIR',
      'DATABASE_URL',
      'PUBLIC_URL',
      'SECRET_KEY',
      'LOG_LEVEL',
      'SANDBOX',
      'SANDBOX_SMS_DELAY_MS',
      'ACTIVATION_TTL_S',
      'CANCEL_MIN_S',
      'SMS_STORAGE',
      'MIN_AGE',
      'API_RATE_LIMIT',
      'MAX_ACTIVE_ACTIVATIONS',
      'SMTP_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_API_BASE',
      'BLOCKONOMICS_API_KEY',
      'BLOCKONOMICS_CALLBACK_SECRET',
      'BLOCKONOMICS_API_BASE',
      'BLOCKONOMICS_CONFIRMATIONS',
      'REVENUECAT_WEBHOOK_AUTH',
    ]) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
  });

  it('parses values and derives the public URL and cookie security', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://otp.example.com/some/path',
      DATABASE_URL: 'postgres://u:p@db:5432/otpbox',
      API_RATE_LIMIT: '0',
      SMS_STORAGE: 'ephemeral',
      TRUST_PROXY: '2',
    });
    expect(config.port).toBe(9000);
    expect(config.publicUrl).toBe('https://otp.example.com');
    expect(config.secureCookies).toBe(true);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/otpbox');
    expect(config.apiRateLimit).toBe(0);
    expect(config.smsStorage).toBe('ephemeral');
    expect(config.trustProxy).toBe(2);
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '   ', SECRET_KEY: '' });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
  });

  it('names every offending variable at once, with what it expects', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      SANDBOX: 'maybe',
      DATABASE_URL: 'mysql://root@localhost/db',
      MIN_AGE: '5',
      SMS_STORAGE: 'forever',
      PUBLIC_URL: 'otp.example.com',
    });
    const byName = Object.fromEntries(problems.map((p) => [p.variable, p.message]));
    expect(Object.keys(byName).sort()).toEqual(['DATABASE_URL', 'MIN_AGE', 'PORT', 'PUBLIC_URL', 'SANDBOX', 'SMS_STORAGE']);
    expect(byName.PORT).toMatch(/whole number between 0 and 65535.*"eighty"/);
    expect(byName.SANDBOX).toMatch(/one of: auto, on, off/);
    expect(byName.MIN_AGE).toMatch(/≥ 13/);
    expect(byName.DATABASE_URL).toMatch(/postgres:\/\//);
  });

  it('offers e-mail and device accounts unless ACCOUNT_KINDS narrows them, and refuses an unknown, repeated or empty list', () => {
    expect(loadConfig({}).accountKinds).toEqual(['email', 'device']);
    expect(loadConfig({ ACCOUNT_KINDS: 'device' }).accountKinds).toEqual(['device']);
    expect(loadConfig({ ACCOUNT_KINDS: ' email , device ' }).accountKinds).toEqual(['email', 'device']);
    for (const bad of ['phone', 'email,email', 'email,', ',']) {
      expect(new Set(problemsOf({ ACCOUNT_KINDS: bad }).map((p) => p.variable))).toEqual(new Set(['ACCOUNT_KINDS']));
    }
  });

  it('never echoes secrets or connection URLs in its messages', () => {
    const problems = problemsOf({ SECRET_KEY: 'short-secret-value', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    const text = JSON.stringify(problems);
    expect(text).not.toContain('short-secret-value');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('18 characters');
  });

  it('reads PUBLIC_RATE_LIMIT as a whole number, 0 turning it off', () => {
    expect(loadConfig({ PUBLIC_RATE_LIMIT: '0' }).publicRateLimit).toBe(0);
    expect(loadConfig({ PUBLIC_RATE_LIMIT: '120' }).publicRateLimit).toBe(120);
    expect(problemsOf({ PUBLIC_RATE_LIMIT: '-1' })[0]?.variable).toBe('PUBLIC_RATE_LIMIT');
    expect(problemsOf({ PUBLIC_RATE_LIMIT: 'lots' })[0]?.variable).toBe('PUBLIC_RATE_LIMIT');
  });

  it('documents every variable in the configuration table of README.md', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it('rejects ports out of range and negative numbers', () => {
    expect(problemsOf({ PORT: '70000' })[0]?.variable).toBe('PORT');
    expect(problemsOf({ CANCEL_MIN_S: '-1' })[0]?.variable).toBe('CANCEL_MIN_S');
    expect(problemsOf({ ACTIVATION_TTL_S: '1.5' })[0]?.variable).toBe('ACTIVATION_TTL_S');
  });

  it('reads the retention periods, with the seeds’ defaults, and refuses a part that outlives its whole', () => {
    expect(loadConfig({}).retentionDays).toEqual({
      RETENTION_RESERVATIONS_DAYS: 180,
      RETENTION_NUMBER_HISTORY_DAYS: 365,
      RETENTION_LOGS_DAYS: 90,
      RETENTION_SECURITY_EVENTS_DAYS: 365,
      RETENTION_SECURITY_IP_DAYS: 90,
      RETENTION_TRANSACTIONS_DAYS: 1826,
      RETENTION_SUPPORT_DAYS: 365,
      RETENTION_GATEWAY_MESSAGES_DAYS: 30,
    });
    expect(loadConfig({ RETENTION_NUMBER_HISTORY_DAYS: '730', RETENTION_RESERVATIONS_DAYS: '400' }).retentionDays).toMatchObject({
      RETENTION_NUMBER_HISTORY_DAYS: 730,
      RETENTION_RESERVATIONS_DAYS: 400,
    });
    expect(problemsOf({ RETENTION_RESERVATIONS_DAYS: '400' })).toEqual([
      {
        variable: 'RETENTION_RESERVATIONS_DAYS',
        message:
          'expected at most RETENTION_NUMBER_HISTORY_DAYS (365): reservation details are part of the order they belong to (got "400")',
      },
    ]);
    expect(problemsOf({ RETENTION_SECURITY_IP_DAYS: '366' })[0]?.variable).toBe('RETENTION_SECURITY_IP_DAYS');
    expect(problemsOf({ RETENTION_LOGS_DAYS: '0' })[0]?.variable).toBe('RETENTION_LOGS_DAYS');
    expect(problemsOf({ RETENTION_TRANSACTIONS_DAYS: '30' })[0]?.variable).toBe('RETENTION_TRANSACTIONS_DAYS');
  });
});
