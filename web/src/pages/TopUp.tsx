import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api, NetworkError } from '../lib/api.ts';
import { formatCredits } from '../lib/format.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import {
  type CheckoutMethod,
  formatMoney,
  methodRefused,
  methodsFor,
  offeredMethods,
  type PackagesAnswer,
  rememberBitcoinCheckout,
} from '../lib/payments.ts';
import { randomId } from '../lib/random.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { BitcoinCheckout, CardCheckout, CreditPackage } from '../lib/types.ts';
import { useMe } from '../state/session.tsx';

/** Leaving for the card processor's page: a full navigation, to another origin. */
const leaveForCheckout = (url: string) => window.location.assign(url);

/** The processor's page must be a web page: never a `javascript:` or other URL from a confused answer. */
const isWebUrl = (url: string) => {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};

function packageLabel(pkg: CreditPackage): string {
  const credits = formatCredits(pkg.credits);
  return pkg.interval ? t.topUp.planLabel(credits, pkg.interval) : t.topUp.packLabel(credits);
}

function priceLabel(pkg: CreditPackage): string {
  const price = formatMoney(pkg.price, pkg.currency);
  return pkg.interval ? t.topUp.pricePerInterval(price, pkg.interval) : price;
}

/** A refusal after which the same click may be tried again with the same key: it resumes the same payment. */
const retryable = (error: unknown) =>
  error instanceof NetworkError ||
  (error instanceof ApiError && (error.code === 'PAYMENT_PROCESSOR_UNAVAILABLE' || error.code === 'IDEMPOTENCY_KEY_IN_USE'));

/**
 * Buying credits: a pack or a plan, paid by card (on the processor's page, which comes back to the
 * payment's page) or by Bitcoin (the payment's page shows the address and a QR code). Offers only the
 * ways to pay the server takes.
 */
export function TopUp({ leave = leaveForCheckout }: { leave?: (url: string) => void }) {
  useTitle(t.topUp.title);
  const me = useMe();
  const mounted = useMounted();
  const packages = useLoad((signal) => api<PackagesAnswer>('/packages', { signal }), []);
  const [chosen, setChosen] = useState<string>();
  const [method, setMethod] = useState<CheckoutMethod>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [gone, setGone] = useState<CheckoutMethod>();
  // One key per purchase: a double click, or a retry after a lost answer, resumes the same payment
  // instead of starting a second one. A new key when the choice changes or the server has answered.
  const key = useRef<{ value: string; for: string }>({ value: randomId(), for: '' });
  // Back from the processor's page, the browser may show this page as it was left: busy. It is not.
  useEffect(() => {
    const shown = (event: PageTransitionEvent) => {
      if (event.persisted) setBusy(false);
    };
    window.addEventListener('pageshow', shown);
    return () => window.removeEventListener('pageshow', shown);
  }, []);
  const packageName = useId();
  const methodName = useId();

  const list = packages.data?.packages ?? [];
  const offered = offeredMethods(packages.data);
  const payable = list.filter((p) => methodsFor(p, offered).length > 0);
  const selected = list.find((p) => p.code === chosen) ?? payable[0] ?? list[0];
  const methods = selected ? methodsFor(selected, offered) : [];
  const payWith = method && methods.includes(method) ? method : methods[0];

  const pay = async (event: FormEvent) => {
    event.preventDefault();
    if (!selected || !payWith || busy) return;
    const purchase = `${selected.code} ${payWith}`;
    if (key.current.for !== purchase) key.current = { value: randomId(), for: purchase };
    setBusy(true);
    setError(undefined);
    setGone(undefined);
    try {
      const answer = await api<CardCheckout | BitcoinCheckout>('/payments/checkout', {
        method: 'POST',
        body: { package: selected.code, method: payWith },
        headers: { 'idempotency-key': key.current.value },
      });
      if ('url' in answer && isWebUrl(answer.url)) {
        // Busy until the browser has left: a second click would only replay the same checkout.
        leave(answer.url);
        return;
      }
      if ('address' in answer && 'uri' in answer) {
        key.current = { value: randomId(), for: '' };
        rememberBitcoinCheckout(answer);
        navigate(`/payments/${encodeURIComponent(answer.paymentId)}`);
        return;
      }
      throw new ApiError(502, 'UNEXPECTED_ANSWER', t.errors.unexpected);
    } catch (caught) {
      if (!retryable(caught)) key.current = { value: randomId(), for: '' };
      if (caught instanceof ApiError && caught.code === 'PAYMENT_METHOD_UNAVAILABLE') {
        methodRefused(payWith, selected.currency);
        if (mounted()) setGone(payWith);
      }
      if (caught instanceof ApiError && caught.code === 'UNKNOWN_PACKAGE') packages.reload();
      if (mounted()) {
        setError(caught);
        setBusy(false);
      }
    }
  };

  const card = payWith === 'card';
  return (
    <div className="top-up">
      <h1 tabIndex={-1}>{t.topUp.title}</h1>
      <p className="lead">{t.topUp.intro(formatCredits(me.balance.available))}</p>
      {packages.loading && !packages.data ? <Loading /> : null}
      {packages.error && !packages.data ? <ErrorNotice error={packages.error} onRetry={packages.reload} /> : null}
      {gone ? <Notice kind="warning">{t.topUp.methodGone(t.topUp.method[gone])}</Notice> : null}
      {packages.data && list.length === 0 ? <Notice kind="info">{t.topUp.noPackages}</Notice> : null}
      {packages.data && list.length > 0 && payable.length === 0 ? <Notice kind="info">{t.topUp.notAvailable}</Notice> : null}
      {selected && payable.length > 0 ? (
        <form className="card top-up__form" onSubmit={pay} noValidate>
          <fieldset className="choices">
            <legend>{t.topUp.choosePackage}</legend>
            {list.map((pkg) => (
              <label key={pkg.code} className="choice">
                <input
                  type="radio"
                  name={packageName}
                  value={pkg.code}
                  checked={pkg.code === selected.code}
                  onChange={() => setChosen(pkg.code)}
                  disabled={busy}
                />
                <span className="choice__main">
                  <span className="choice__title">
                    {packageLabel(pkg)}
                    {pkg.interval ? <span className="badge badge--current">{t.topUp.planBadge}</span> : null}
                  </span>
                  <span className="choice__price">{priceLabel(pkg)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {selected.interval ? (
            <div className="plan-terms">
              <p>{t.plans.renews(selected.interval, formatCredits(selected.credits))}</p>
              <p>{t.plans.rule}</p>
            </div>
          ) : null}
          {methods.length === 0 ? <Notice kind="info">{selected.interval ? t.topUp.planNeedsCard : t.topUp.packNotPayable}</Notice> : null}
          {methods.length > 1 ? (
            <fieldset className="choices choices--inline">
              <legend>{t.topUp.chooseMethod}</legend>
              {methods.map((m) => (
                <label key={m} className="choice">
                  <input type="radio" name={methodName} value={m} checked={m === payWith} onChange={() => setMethod(m)} disabled={busy} />
                  <span className="choice__main">
                    <span className="choice__title">{t.topUp.method[m]}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          ) : null}
          {selected.interval && methods.length > 0 && offered.includes('bitcoin') ? (
            <p className="muted small">{t.topUp.planByCardOnly}</p>
          ) : null}
          {payWith ? <p className="muted">{t.topUp.methodHint[payWith]}</p> : null}
          {error ? <ErrorNotice error={error} /> : null}
          {payWith ? (
            <button type="submit" className="button button--primary button--wide button--large" disabled={busy}>
              {busy
                ? card
                  ? t.topUp.opening
                  : t.topUp.preparing
                : (card ? t.topUp.payCard : t.topUp.payBitcoin)(formatMoney(selected.price, selected.currency))}
            </button>
          ) : null}
        </form>
      ) : null}
      <p>
        <Link to="/payments">{t.topUp.history}</Link>
      </p>
    </div>
  );
}
