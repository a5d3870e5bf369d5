import { Checkbox } from '../components/Field.tsx';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { Loading } from '../components/Notice.tsx';
import { OrderCard } from '../components/OrderCard.tsx';
import { t } from '../i18n/index.ts';
import { primeSound } from '../lib/alerts.ts';
import { useCatalogNames } from '../lib/catalog-data.ts';
import { useTitle } from '../lib/hooks.ts';
import { setAlerts, usePreferences } from '../lib/preferences.ts';
import { Link, useLocation } from '../lib/router.tsx';
import { useOrders } from '../state/orders.tsx';

/** The active orders, several at once, each updating live. */
export function Orders() {
  useTitle(t.orders.title);
  useCatalogNames();
  const { orders, loaded, live } = useOrders();
  const preferences = usePreferences();
  const { search } = useLocation();
  const focus = search.get('order');

  return (
    <div className="orders-page">
      <h1 tabIndex={-1}>{t.orders.title}</h1>
      <div className="orders-page__bar">
        <LiveStatus live={live} />
        <Checkbox
          checked={preferences.alerts}
          onChange={(on) => {
            if (on) primeSound();
            setAlerts(on);
          }}
        >
          {t.orders.alerts}
        </Checkbox>
      </div>
      {!loaded && orders.length === 0 ? <Loading /> : null}
      {loaded && orders.length === 0 ? (
        <div className="empty card">
          <p>{t.orders.empty}</p>
          <Link to="/buy" className="button button--primary">
            {t.orders.buyOne}
          </Link>
        </div>
      ) : null}
      <ul className="orders">
        {orders.map((order) => (
          <li key={order.id}>
            <OrderCard order={order} autoFocus={order.id === focus} />
          </li>
        ))}
      </ul>
    </div>
  );
}
