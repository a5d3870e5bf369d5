import { useState } from 'react';
import { FavouriteButton } from '../components/FavouriteButton.tsx';
import { Field } from '../components/Field.tsx';
import { Flag } from '../components/Flag.tsx';
import { Icon } from '../components/Icon.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { ServiceIcon } from '../components/ServiceIcon.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { countryRank, sortCountries } from '../lib/catalog.ts';
import { serviceByCode, serviceName, useCatalogNames } from '../lib/catalog-data.ts';
import { formatCount, formatCredits } from '../lib/format.ts';
import { useLoad, useTitle } from '../lib/hooks.ts';
import { toggleFavouriteCountry, usePreferences } from '../lib/preferences.ts';
import { Link } from '../lib/router.tsx';
import type { Country } from '../lib/types.ts';

export const countriesFor = (service: string, signal?: AbortSignal) =>
  api<{ countries: Country[] }>(`/countries?service=${encodeURIComponent(service)}`, { signal }).then((answer) => answer.countries);

/** Step 2 of buying: where the number comes from. Cheapest with stock first; favourites before everything. */
export function BuyCountries({ service }: { service: string }) {
  useCatalogNames();
  const name = serviceName(service);
  useTitle(t.buy.countryTitle(name));
  const preferences = usePreferences();
  const countries = useLoad((signal) => countriesFor(service, signal), [service]);
  const [query, setQuery] = useState('');

  const unknown = countries.error instanceof ApiError && countries.error.code === 'UNKNOWN_SERVICE';
  const ranks = new Map((countries.data ?? []).map((country) => [country.code, countryRank(country, query)]));
  const shown = (countries.data ?? []).filter((country) => ranks.get(country.code) !== undefined);
  // The best matches first ("uk": the United Kingdom before Ukraine); among equals, favourites and price.
  const { inStock, outOfStock } = sortCountries(shown, preferences.favouriteCountries, (country) => ranks.get(country.code) ?? 0);

  return (
    <div className="buy">
      <p className="back">
        <Link to="/buy">
          <Icon name="back" /> {t.buy.allServices}
        </Link>
      </p>
      <h1 tabIndex={-1} className="title-with-icon">
        <ServiceIcon service={serviceByCode(service)} code={service} />
        {t.buy.countryTitle(name)}
      </h1>
      {unknown ? (
        <Notice kind="error">{t.buy.unknownService}</Notice>
      ) : (
        <>
          <p className="lead">{t.buy.countryIntro}</p>
          <Field
            className="field--search"
            label={t.buy.searchCountries}
            type="search"
            placeholder={t.buy.searchCountriesPlaceholder}
            autoComplete="off"
            value={query}
            onChange={setQuery}
          />
          {countries.error && !countries.data ? <ErrorNotice error={countries.error} onRetry={countries.reload} /> : null}
          {countries.loading && !countries.data ? <Loading /> : null}
          {countries.data && shown.length === 0 ? <p role="status">{t.buy.noCountries(query.trim())}</p> : null}
          <ul className="country-list">
            {inStock.map((country) => (
              <li key={country.code} className="country-row">
                <Link to={`/buy/${service}/${country.code}`} className="country-row__link">
                  <Flag code={country.code} name={country.name} decorative />
                  <span className="country-row__name">
                    {country.name} <span className="muted">+{country.dialCode}</span>
                  </span>
                  <span className="country-row__stock muted">{t.buy.available(formatCount(country.available))}</span>
                  <span className="country-row__price">{formatCredits(country.fromPrice ?? 0)}</span>
                </Link>
                <FavouriteButton
                  name={country.name}
                  active={preferences.favouriteCountries.includes(country.code)}
                  onToggle={() => toggleFavouriteCountry(country.code)}
                />
              </li>
            ))}
          </ul>
          {outOfStock.length > 0 ? (
            <details className="out-of-stock" open={query.trim() !== '' && inStock.length === 0}>
              <summary>
                {t.buy.outOfStock} ({formatCount(outOfStock.length)})
              </summary>
              <p className="muted">{t.buy.outOfStockHint}</p>
              <ul className="country-list country-list--out">
                {outOfStock.map((country) => (
                  <li key={country.code} className="country-row">
                    <span className="country-row__link">
                      <Flag code={country.code} name={country.name} decorative />
                      <span className="country-row__name">{country.name}</span>
                      <span className="country-row__price muted">{t.buy.noneRightNow}</span>
                    </span>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      )}
    </div>
  );
}
