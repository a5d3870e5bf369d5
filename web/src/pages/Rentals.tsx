import { type FormEvent, useEffect, useState } from 'react';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { PagedList } from '../components/PagedList.tsx';
import { rentalsEn as r } from '../i18n/rentals-en.ts';
import { onAccountEvent, onLiveOpen } from '../lib/account-events.ts';
import { api } from '../lib/api.ts';
import { formatDateTime } from '../lib/format.ts';
import { useLoad, usePaged, useTitle } from '../lib/hooks.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { Rental, RentalOffers, RentalSummary } from '../lib/types.ts';

/** Reload on a rental's live events (of `rentalId`, if given) and when the stream reconnects. */
function useRentalLive(reload: () => void, rentalId?: string): void {
  useEffect(() => {
    const stop = onAccountEvent((type, data) => {
      if (type !== 'rental.sms' && type !== 'rental.updated') return;
      if (rentalId && (data as { rentalId?: unknown } | null)?.rentalId !== rentalId) return;
      reload();
    });
    const stopOpen = onLiveOpen(reload);
    return () => {
      stop();
      stopOpen();
    };
  }, [reload, rentalId]);
}

const fetchRentals = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ rentals: RentalSummary[]; nextCursor: string | null }>(
    `/rentals?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    {
      signal,
    },
  ).then((answer) => ({ items: answer.rentals, nextCursor: answer.nextCursor }));

/** The rentals: what can be rented and its price first, the form, then the customer's rentals. */
export function Rentals() {
  useTitle(r.title);
  const offers = useLoad((signal) => api<RentalOffers>('/rentals/offers', { signal }), []);
  const list = usePaged(fetchRentals, []);
  useRentalLive(list.reload);
  const [country, setCountry] = useState('');
  const [days, setDays] = useState(7);
  const [services, setServices] = useState('');
  const [autoRenew, setAutoRenew] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const available = offers.data?.offers ?? [];
  const chosen = available.find((o) => o.country === country) ?? available[0];
  const maxDays = offers.data?.maxDays ?? 183;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      const list = services
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const made = await api<Rental>('/rentals', {
        method: 'POST',
        body: { country: chosen.country, days, autoRenew, ...(list.length > 0 ? { services: list } : {}) },
      });
      navigate(`/rentals/${encodeURIComponent(made.id)}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rentals stack">
      <h1 tabIndex={-1}>{r.title}</h1>
      <p className="lead">{r.intro}</p>
      <section aria-labelledby="rental-offers" className="stack">
        <h2 id="rental-offers">{r.offersLabel}</h2>
        {offers.error ? <ErrorNotice error={offers.error} onRetry={offers.reload} /> : null}
        {offers.loading && !offers.data ? <Loading /> : null}
        {offers.data && available.length === 0 ? <p>{r.noOffers}</p> : null}
        {chosen ? (
          <form className="stack" onSubmit={submit}>
            <label>
              {r.country}
              <select value={chosen.country} onChange={(e) => setCountry(e.target.value)}>
                {available.map((o) => (
                  <option key={o.country} value={o.country}>
                    {r.offer(o.country, o.count, o.pricePerDay)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {r.days}
              <input
                type="number"
                min={1}
                max={maxDays}
                value={days}
                onChange={(e) => setDays(Math.max(1, Math.min(maxDays, Number(e.target.value) || 1)))}
              />
              <span className="muted small">{r.daysHint(maxDays)}</span>
            </label>
            <label>
              {r.services}
              <input value={services} onChange={(e) => setServices(e.target.value)} />
            </label>
            <label>
              <input type="checkbox" checked={autoRenew} onChange={(e) => setAutoRenew(e.target.checked)} /> {r.autoRenew}
            </label>
            <p>
              <strong>{r.price(chosen.pricePerDay * days)}</strong>
            </p>
            {error ? <ErrorNotice error={error} /> : null}
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy ? r.renting : r.rent}
            </button>
          </form>
        ) : null}
      </section>
      <section aria-labelledby="rental-list" className="stack">
        <h2 id="rental-list">{r.listLabel}</h2>
        <PagedList list={list} empty={r.none}>
          {(items) => (
            <ul className="conversations">
              {items.map((rental) => (
                <li key={rental.id}>
                  <Link to={`/rentals/${encodeURIComponent(rental.id)}`}>
                    <strong>{rental.number ?? r.erased}</strong>
                    <span>
                      {r.status[rental.status]} <span className="muted small">{r.until(formatDateTime(rental.endsAt))}</span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </div>
  );
}

/** One rental: its number, its SMS live, renew and cancel. */
export function RentalPage({ id }: { id: string }) {
  const rental = useLoad((signal) => api<Rental>(`/rentals/${encodeURIComponent(id)}`, { signal }), [id]);
  useTitle(rental.data?.number ?? r.title);
  useRentalLive(rental.reload, id);
  const [renewDays, setRenewDays] = useState(7);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setError(undefined);
    try {
      await api<Rental>(`/rentals/${encodeURIComponent(id)}/${path}`, { method: 'POST', body: body ?? {} });
      rental.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (rental.error && !rental.data) return <ErrorNotice error={rental.error} onRetry={rental.reload} />;
  const data = rental.data;
  if (!data) return <Loading />;
  return (
    <div className="rental stack">
      <p>
        <Link to="/rentals">{r.back}</Link>
      </p>
      <h1 tabIndex={-1}>{data.number ?? r.erased}</h1>
      <p>
        {r.status[data.status]} · {r.perDay(data.pricePerDay)} · {r.endsAt}: {formatDateTime(data.endsAt)} · {r.latestEnd}:{' '}
        {formatDateTime(data.latestEnd)}
      </p>
      <section aria-labelledby="rental-sms" className="stack">
        <h2 id="rental-sms">{r.smsLabel}</h2>
        {data.sms.length === 0 ? (
          <p>{r.noSms}</p>
        ) : (
          <ul className="conversations">
            {data.sms.map((sms) => (
              <li key={sms.id}>
                {sms.code ? (
                  <strong>
                    {r.code}: {sms.code}
                  </strong>
                ) : null}{' '}
                <span>{sms.text}</span>{' '}
                <span className="muted small">
                  {sms.sender} · {formatDateTime(sms.receivedAt)}
                  {sms.late ? ` · ${r.late}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="rental-periods" className="stack">
        <h2 id="rental-periods">{r.periods}</h2>
        <ul>
          {data.periods.map((p) => (
            <li key={p.seq}>{r.period(p.seq, p.days, p.charged ?? p.price, p.status)}</li>
          ))}
        </ul>
      </section>
      {error ? <ErrorNotice error={error} /> : null}
      {data.status === 'active' ? (
        <div className="stack">
          <label>
            {r.renewDays}
            <input type="number" min={1} value={renewDays} onChange={(e) => setRenewDays(Math.max(1, Number(e.target.value) || 1))} />
          </label>
          <p>
            <strong>{r.price(data.pricePerDay * renewDays)}</strong>
          </p>
          <button type="button" className="button button--primary" disabled={busy} onClick={() => act('renew', { days: renewDays })}>
            {r.renew}
          </button>
          <p className="muted small">{r.cancelNote}</p>
          <button type="button" className="button" disabled={busy} onClick={() => act('cancel')}>
            {r.cancel}
          </button>
        </div>
      ) : null}
    </div>
  );
}
