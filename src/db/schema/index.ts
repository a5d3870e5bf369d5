export * from './accounts.ts';
export * from './activations.ts';
export * from './jobs.ts';
export * from './ledger.ts';
export * from './payments.ts';
export * from './providers.ts';
export * from './settings.ts';
export * from './webhooks.ts';
