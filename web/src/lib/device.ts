// The anonymous account of this browser (P1): a random device id, kept in local storage, is all that
// identifies it — no e-mail, no name. A random device secret beside it proves, at every sign-in, that
// this browser holds the account; the bearer token the server gives for it lives next to them.

import { randomHex, randomId } from './random.ts';
import { readItem, writeItem } from './storage.ts';
import { APP_VERSION } from './version.ts';

const DEVICE_ID = 'deviceId';
const DEVICE_SECRET = 'deviceSecret';
const DEVICE_TOKEN = 'deviceToken';

/** This browser's device id, created on first use and kept so "continue anonymously" finds the same account. */
export function deviceId(): string {
  const known = readItem(DEVICE_ID);
  if (known && known.length >= 8) return known;
  const id = `web-${randomId()}`;
  writeItem(DEVICE_ID, id);
  return id;
}

/**
 * This browser's device secret: 256 random bits, made before its first sign-in (or, in a browser from
 * before secrets, before its next one, which registers it: its `web-` id is random enough for the
 * server to accept that) and sent at every sign-in, so that knowing the id signs no one in. A phone
 * app keeps it in the platform's secure storage (Keychain, Keystore); local storage is the browser's
 * nearest equivalent, and it already holds the token, which is worth as much.
 */
export function deviceSecret(): string {
  const known = readItem(DEVICE_SECRET);
  if (known) return known;
  const secret = randomHex(32);
  writeItem(DEVICE_SECRET, secret);
  return secret;
}

export const hasDeviceId = (): boolean => readItem(DEVICE_ID) !== null;
export const deviceToken = (): string | null => readItem(DEVICE_TOKEN);
export const saveDeviceToken = (token: string) => writeItem(DEVICE_TOKEN, token);
export const forgetDeviceToken = () => writeItem(DEVICE_TOKEN, null);

/** What support sees about this device (P2): the browser and operating system, coarsely, and our version. */
export function deviceDetails(userAgent: string): { platform: string; osVersion: string; model: string; appVersion: string } {
  return { platform: 'web', osVersion: operatingSystem(userAgent), model: browser(userAgent), appVersion: APP_VERSION };
}

export function operatingSystem(ua: string): string {
  const rules: [RegExp, string][] = [
    [/Android ([\d.]+)/, 'Android'],
    [/(?:iPhone|CPU) OS ([\d_]+)/, 'iOS'],
    [/Windows NT ([\d.]+)/, 'Windows NT'],
    [/Mac OS X ([\d_.]+)/, 'macOS'],
    [/CrOS \S+ ([\d.]+)/, 'ChromeOS'],
  ];
  for (const [pattern, name] of rules) {
    const version = pattern.exec(ua)?.[1];
    if (version) return `${name} ${version.replaceAll('_', '.')}`;
  }
  return /Linux/.test(ua) ? 'Linux' : 'unknown';
}

export function browser(ua: string): string {
  const rules: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Edge'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/(?:Chrome|Chromium)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari/, 'Safari'],
  ];
  for (const [pattern, name] of rules) {
    const version = pattern.exec(ua)?.[1];
    if (version) return `${name} ${version}`;
  }
  return 'browser';
}

/** "Chrome 156 on Android 14": a user agent as people say it. */
export function describeUserAgent(ua: string): string {
  const os = operatingSystem(ua);
  return os === 'unknown' ? browser(ua) : `${browser(ua)} on ${os}`;
}
