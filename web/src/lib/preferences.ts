// What this browser remembers for its user: theme, the code alert, favourite services and countries,
// recent purchases. Only in local storage: none of it is personal data the server needs.

import { useSyncExternalStore } from 'react';
import { isStringArray, readItem, readJson, writeItem } from './storage.ts';

export type Theme = 'system' | 'light' | 'dark';

export interface Recent {
  service: string;
  country: string;
}

export interface Preferences {
  theme: Theme;
  alerts: boolean;
  favouriteServices: string[];
  favouriteCountries: string[];
  recents: Recent[];
}

const MAX_RECENTS = 3;

const isRecents = (value: unknown): value is Recent[] =>
  Array.isArray(value) &&
  value.every(
    (r) => typeof r === 'object' && r !== null && typeof (r as Recent).service === 'string' && typeof (r as Recent).country === 'string',
  );

function load(): Preferences {
  const theme = readItem('theme');
  return {
    theme: theme === 'light' || theme === 'dark' ? theme : 'system',
    alerts: readItem('alerts') === 'on',
    favouriteServices: readJson('favouriteServices', [], isStringArray),
    favouriteCountries: readJson('favouriteCountries', [], isStringArray),
    recents: readJson('recents', [], isRecents),
  };
}

let current: Preferences | undefined;
const listeners = new Set<() => void>();

export function preferences(): Preferences {
  current ??= load();
  return current;
}

function update(change: Partial<Preferences>): void {
  current = { ...preferences(), ...change };
  for (const listener of listeners) listener();
}

export function usePreferences(): Preferences {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    preferences,
    preferences,
  );
}

export function setTheme(theme: Theme): void {
  writeItem('theme', theme === 'system' ? null : theme);
  update({ theme });
  applyTheme(theme);
}

/** The `data-theme` attribute the stylesheet reads; absent means "follow the system". */
export function applyTheme(theme: Theme = preferences().theme): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
}

export function setAlerts(on: boolean): void {
  writeItem('alerts', on ? 'on' : null);
  update({ alerts: on });
}

function toggle(list: string[], item: string): string[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

export function toggleFavouriteService(code: string): void {
  const favouriteServices = toggle(preferences().favouriteServices, code);
  writeItem('favouriteServices', JSON.stringify(favouriteServices));
  update({ favouriteServices });
}

export function toggleFavouriteCountry(code: string): void {
  const favouriteCountries = toggle(preferences().favouriteCountries, code);
  writeItem('favouriteCountries', JSON.stringify(favouriteCountries));
  update({ favouriteCountries });
}

export function rememberPurchase(recent: Recent): void {
  const recents = [recent, ...preferences().recents.filter((r) => r.service !== recent.service || r.country !== recent.country)].slice(
    0,
    MAX_RECENTS,
  );
  writeItem('recents', JSON.stringify(recents));
  update({ recents });
}

/** Tests start from a clean slate. */
export function resetPreferencesForTests(): void {
  current = undefined;
}
