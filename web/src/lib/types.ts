// The shapes of the otpbox API (see /openapi.json) that the web app reads.

export interface Balance {
  available: number;
  held: number;
}

/** An account's credits, and apart from them its demo credits (they pay for sandbox numbers only). */
export interface Balances extends Balance {
  demo: Balance;
}

export interface Profile {
  id: string;
  email: string | null;
  kind: 'email' | 'device';
  role: 'customer' | 'support' | 'admin';
  emailVerified: boolean;
  createdAt: string;
  policy: { acceptedVersion: string | null; currentVersion: string; lastUpdated: string; acceptanceRequired: boolean };
  balance: Balances;
}

export interface Policy {
  version: string;
  lastUpdated: string;
  minimumAge: number;
  text: string;
}

export interface Service {
  code: string;
  name: string;
  /** Other names people search it by ("youtube" for Google). */
  aliases: string[];
  icon: string | null;
  color: string | null;
  available: number;
  fromPrice: number | null;
}

export interface Country {
  code: string;
  name: string;
  dialCode: string;
  /** Other names people search it by ("UK" for the United Kingdom). */
  aliases: string[];
  flag: string;
  available: number;
  fromPrice: number | null;
}

export type OrderStatus = 'waiting' | 'received' | 'completed' | 'cancelled' | 'expired' | 'failed';

export interface Sms {
  id: string;
  code: string | null;
  text: string | null;
  receivedAt: string;
  late: boolean;
}

export interface Activation {
  id: string;
  phone: string;
  service: string;
  country: string;
  price: number;
  status: OrderStatus;
  expiresAt: string;
  createdAt: string;
  cancellableAt: string;
  receivedAt: string | null;
  endedAt: string | null;
  sandbox: boolean;
  sms: Sms[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StatementLine {
  transferId: string;
  at: string;
  kind: string;
  /** Which balance moved: the credits, or the demo credits. */
  purse: 'credits' | 'demo';
  reason: string;
  change: Balance;
  balanceAfter: Balance;
}

export interface Session {
  id: string;
  kind: 'browser' | 'device';
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ipPrefix: string | null;
  device: { platform: string; osVersion: string; model: string; appVersion: string } | null;
}

export interface SecurityEvent {
  id: string;
  type: string;
  occurredAt: string;
  ipPrefix: string | null;
  userAgent: string | null;
  byStaff: boolean;
  details: Record<string, unknown> | null;
}

export interface ApiKey {
  id: string;
  name: string;
  displayPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Open orders can still change; ended ones cannot: the server's own definition (its order state machine). */
export { isOpen } from '../../../src/modules/activations/states.ts';
