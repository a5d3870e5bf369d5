import { useState } from 'react';
import { DemoTopUp } from '../components/DemoTopUp.tsx';
import { FavouriteButton } from '../components/FavouriteButton.tsx';
import { Field } from '../components/Field.tsx';
import { Flag } from '../components/Flag.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { ServiceIcon } from '../components/ServiceIcon.tsx';
import { t } from '../i18n/index.ts';
import { searchServices, sortServices } from '../lib/catalog.ts';
import { countryName, loadServices, serviceByCode, serviceName, useCatalogNames } from '../lib/catalog-data.ts';
import { formatCredits } from '../lib/format.ts';
import { useLoad, useTitle } from '../lib/hooks.ts';
import { toggleFavouriteService, usePreferences } from '../lib/preferences.ts';
import { Link } from '../lib/router.tsx';
import { useMe } from '../state/session.tsx';

/** Step 1 of buying: the service that will send the code. */
export function BuyServices() {
  useTitle(t.buy.title);
  useCatalogNames();
  const me = useMe();
  const preferences = usePreferences();
  const services = useLoad(() => loadServices(true), []);
  const [query, setQuery] = useState('');
  // The best matches first; among equals, favourites and the most used first.
  const shown = searchServices(sortServices(services.data ?? [], preferences.favouriteServices), query);

  return (
    <div className="buy">
      <h1 tabIndex={-1}>{t.buy.title}</h1>
      <p className="lead">{t.buy.intro}</p>
      {me.balance.available === 0 && me.balance.demo.available === 0 ? <DemoTopUp compact /> : null}
      {preferences.recents.length > 0 ? (
        <section aria-labelledby="recent-title" className="recents">
          <h2 id="recent-title" className="section-label">
            {t.buy.recent}
          </h2>
          <ul className="chips">
            {preferences.recents.map((recent) => (
              <li key={`${recent.service}-${recent.country}`}>
                <Link to={`/buy/${recent.service}/${recent.country}`} className="chip">
                  <ServiceIcon service={serviceByCode(recent.service)} code={recent.service} size={24} />
                  <Flag code={recent.country} name={countryName(recent.country)} decorative />
                  {t.buy.recentPick(serviceName(recent.service), countryName(recent.country))}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Field
        className="field--search"
        label={t.buy.searchServices}
        type="search"
        placeholder={t.buy.searchServicesPlaceholder}
        autoComplete="off"
        value={query}
        onChange={setQuery}
      />
      {services.error && !services.data ? <ErrorNotice error={services.error} onRetry={services.reload} /> : null}
      {services.loading && !services.data ? <Loading /> : null}
      {services.data && shown.length === 0 ? <p role="status">{t.buy.noServices(query.trim())}</p> : null}
      <ul className="service-grid">
        {shown.map((service) => (
          <li key={service.code} className="service-tile">
            <Link to={`/buy/${service.code}`} className="service-tile__link">
              <ServiceIcon service={service} code={service.code} />
              <span className="service-tile__name">{service.name}</span>
              <span className="service-tile__price">
                {service.fromPrice !== null ? t.buy.from(formatCredits(service.fromPrice)) : t.buy.noneRightNow}
              </span>
            </Link>
            <FavouriteButton
              name={service.name}
              active={preferences.favouriteServices.includes(service.code)}
              onToggle={() => toggleFavouriteService(service.code)}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
