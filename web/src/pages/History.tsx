import { Flag } from '../components/Flag.tsx';
import { StatusBadge } from '../components/OrderCard.tsx';
import { PagedList } from '../components/PagedList.tsx';
import { useFormattedPhone } from '../components/PhoneNumber.tsx';
import { ServiceIcon } from '../components/ServiceIcon.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { countryName, serviceByCode, serviceName, useCatalogNames } from '../lib/catalog-data.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { usePaged, useTitle } from '../lib/hooks.ts';
import type { Activation } from '../lib/types.ts';

const PAGE = 25;

const fetchOrders = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ activations: Activation[]; nextCursor: string | null }>(
    `/activations?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    {
      signal,
    },
  ).then((answer) => ({ items: answer.activations, nextCursor: answer.nextCursor }));

function Row({ order }: { order: Activation }) {
  const phone = useFormattedPhone(order.phone);
  const codes = order.sms.map((s) => s.code).filter((code): code is string => code !== null);
  return (
    <tr>
      <td data-label={t.history.service}>
        <span className="with-icon">
          <ServiceIcon service={serviceByCode(order.service)} code={order.service} size={28} />
          <span>
            {serviceName(order.service)}
            <span className="muted small block">
              <Flag code={order.country} name={countryName(order.country)} decorative /> {countryName(order.country)}
            </span>
          </span>
        </span>
      </td>
      <td data-label={t.history.number}>
        <span translate="no">{phone || t.common.unknown}</span>
      </td>
      <td data-label={t.history.date}>
        <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
      </td>
      <td data-label={t.history.status}>
        <StatusBadge status={order.status} />
      </td>
      <td data-label={t.history.code}>
        {codes.length > 0 ? (
          <span translate="no" className="history__code">
            {codes.join(', ')}
          </span>
        ) : (
          <>
            <span aria-hidden="true">{t.history.noCode}</span>
            <span className="visually-hidden">{t.history.noCodeSpoken}</span>
          </>
        )}
      </td>
      <td data-label={t.history.price} className="numeric">
        {formatCredits(order.price)}
      </td>
    </tr>
  );
}

/** Every order, newest first, with its code where the server keeps messages (P5). */
export function History() {
  useTitle(t.history.title);
  useCatalogNames();
  const list = usePaged(fetchOrders, []);
  return (
    <div>
      <h1 tabIndex={-1}>{t.history.title}</h1>
      <p className="lead">{t.history.intro}</p>
      <PagedList list={list} empty={t.history.empty}>
        {(orders) => (
          <table className="table table--cards">
            <caption className="visually-hidden">{t.history.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.history.service}</th>
                <th scope="col">{t.history.number}</th>
                <th scope="col">{t.history.date}</th>
                <th scope="col">{t.history.status}</th>
                <th scope="col">{t.history.code}</th>
                <th scope="col" className="numeric">
                  {t.history.price}
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.map((order) => (
                <Row key={order.id} order={order} />
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </div>
  );
}
