import { useEffect, useRef, useState } from 'react';
import { DemoTopUp } from '../components/DemoTopUp.tsx';
import { Flag } from '../components/Flag.tsx';
import { Icon } from '../components/Icon.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { ServiceIcon } from '../components/ServiceIcon.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, NetworkError } from '../lib/api.ts';
import { serviceByCode, serviceName, useCatalogNames } from '../lib/catalog-data.ts';
import { formatCount, formatCredits, loadPhoneFormatter } from '../lib/format.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { rememberPurchase } from '../lib/preferences.ts';
import { randomId } from '../lib/random.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSandbox } from '../lib/sandbox.ts';
import { useOrderStore } from '../state/orders.tsx';
import { useMe } from '../state/session.tsx';
import { countriesFor } from './BuyCountries.tsx';

/** Step 3 of buying: the price, confirmed, then one button. */
export function ConfirmOrder({ service, country }: { service: string; country: string }) {
  useTitle(t.buy.confirmTitle);
  useCatalogNames();
  const me = useMe();
  const sandbox = useSandbox();
  const store = useOrderStore();
  const mounted = useMounted();
  const offer = useLoad((signal) => countriesFor(service, signal).then((all) => all.find((c) => c.code === country)), [service, country]);
  // The order page shows the number next: its formatting rules load now, so it is formatted from its first paint.
  useEffect(() => {
    void loadPhoneFormatter();
  }, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // One key per purchase: a double click, or a retry after a dropped connection, replays the same
  // order instead of buying a second number. A new key once the server has answered.
  const idempotencyKey = useRef(randomId());

  const name = serviceName(service);
  const found = offer.data;
  const price = found?.fromPrice ?? null;
  // Demo credits pay for a sandbox number when they cover all of it (the server decides the same way).
  const demoPays = sandbox.sells && price !== null && me.balance.demo.available >= price;
  const missing = price !== null && !demoPays ? price - me.balance.available : 0;

  const buy = async () => {
    if (price === null || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const order = await store.buy(service, country, price, idempotencyKey.current);
      idempotencyKey.current = randomId();
      rememberPurchase({ service, country });
      navigate(`/orders?order=${encodeURIComponent(order.id)}`);
    } catch (caught) {
      if (!(caught instanceof NetworkError)) idempotencyKey.current = randomId();
      if (mounted()) setError(caught);
      if (caught instanceof ApiError && caught.code === 'NO_NUMBERS') offer.reload();
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <div className="buy confirm">
      <p className="back">
        <Link to={`/buy/${service}`}>
          <Icon name="back" /> {t.buy.chooseAnother}
        </Link>
      </p>
      <h1 tabIndex={-1}>{t.buy.confirmTitle}</h1>
      {offer.loading && !offer.data ? <Loading /> : null}
      {offer.error && !offer.data ? <ErrorNotice error={offer.error} onRetry={offer.reload} /> : null}
      {!offer.loading && !offer.error && !found ? <Notice kind="error">{t.buy.unknownService}</Notice> : null}
      {found ? (
        <div className="card confirm__card">
          <dl className="summary">
            <div>
              <dt>{t.buy.confirmService}</dt>
              <dd className="with-icon">
                <ServiceIcon service={serviceByCode(service)} code={service} size={28} /> {name}
              </dd>
            </div>
            <div>
              <dt>{t.buy.confirmCountry}</dt>
              <dd className="with-icon">
                <Flag code={found.code} name={found.name} decorative /> {found.name}
              </dd>
            </div>
            <div>
              <dt>{t.buy.confirmStock}</dt>
              <dd>{formatCount(found.available)}</dd>
            </div>
            <div>
              <dt>{t.buy.confirmBalance}</dt>
              <dd>{formatCredits(me.balance.available)}</dd>
            </div>
            {me.balance.demo.available > 0 ? (
              <div>
                <dt>{t.balance.demoAvailable}</dt>
                <dd>{formatCount(me.balance.demo.available)}</dd>
              </div>
            ) : null}
            <div className="summary__price">
              <dt>{t.buy.confirmPrice}</dt>
              <dd>{price !== null ? formatCredits(price) : t.buy.noneRightNow}</dd>
            </div>
          </dl>
          <p className="muted">{t.buy.howPaying}</p>
          {demoPays ? <Notice kind="info">{t.balance.demoPays}</Notice> : null}
          {price === null ? <Notice kind="warning">{t.buy.soldOut(name, found.name)}</Notice> : null}
          {price !== null && missing > 0 ? (
            <>
              <Notice kind="warning">
                {t.buy.notEnough(formatCredits(missing))} <Link to="/balance">{t.buy.addCredits}</Link>
              </Notice>
              <DemoTopUp compact />
            </>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          {price !== null ? (
            <button type="button" className="button button--primary button--wide button--large" onClick={buy} disabled={busy}>
              {busy ? t.buy.buying : t.buy.buyButton}
            </button>
          ) : (
            <Link to={`/buy/${service}`} className="button button--primary button--wide">
              {t.buy.chooseAnother}
            </Link>
          )}
        </div>
      ) : null}
    </div>
  );
}
