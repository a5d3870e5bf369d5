// The catalog's names and icons, read once per visit and shared: orders, history and the statement
// all show "Telegram" and "Indonesia" for `tg` and `ID`.

import { useEffect, useState } from 'react';
import { api } from './api.ts';
import type { Country, Service } from './types.ts';

let services: Service[] | undefined;
let sprite: string | undefined;
let countries: Country[] | undefined;
let servicesLoading: Promise<Service[]> | undefined;
let countriesLoading: Promise<Country[]> | undefined;
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};

/** The services; `fresh` reads stock and prices again (the buy page), otherwise the first answer of this visit serves. */
export function loadServices(fresh = false): Promise<Service[]> {
  if (fresh) servicesLoading = undefined;
  servicesLoading ??= api<{ services: Service[]; iconSprite: string }>('/services').then(
    (answer) => {
      services = answer.services;
      sprite = answer.iconSprite;
      notify();
      return answer.services;
    },
    (error: unknown) => {
      servicesLoading = undefined;
      throw error;
    },
  );
  return servicesLoading;
}

export function loadCountries(): Promise<Country[]> {
  countriesLoading ??= api<{ countries: Country[] }>('/countries').then(
    (answer) => {
      countries = answer.countries;
      notify();
      return answer.countries;
    },
    (error: unknown) => {
      countriesLoading = undefined;
      throw error;
    },
  );
  return countriesLoading;
}

/** The URL of the one SVG that holds every brand icon (known once the services are loaded): `<use href="…#tg">`. */
export const iconSprite = (): string | undefined => sprite;
export const serviceByCode = (code: string): Service | undefined => services?.find((s) => s.code === code);
export const countryByCode = (code: string): Country | undefined => countries?.find((c) => c.code === code);
export const serviceName = (code: string): string => serviceByCode(code)?.name ?? code.toUpperCase();
export const countryName = (code: string): string => countryByCode(code)?.name ?? code;

/** Re-render when the names arrive; pages work (with codes) before they do. */
export function useCatalogNames(): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    void loadServices().catch(() => {});
    void loadCountries().catch(() => {});
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

/** Tests start from nothing. */
export function resetCatalogForTests(): void {
  services = undefined;
  sprite = undefined;
  countries = undefined;
  servicesLoading = undefined;
  countriesLoading = undefined;
}
