import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { ApiError, api } from '../api.ts';
import { ActionForm, DoneNotice, formatWhen, LoadState, Select, useLoad } from '../data.tsx';
import { count } from '../display.ts';
import { useStaff } from '../session.tsx';

export interface StaffPackage {
  id: string;
  code: string;
  credits: number;
  price: number;
  currency: string;
  interval: 'month' | 'year' | null;
  storeProduct: string | null;
  active: boolean;
  sold: number;
  createdAt: string;
}

const t = c.packages;

/** How many decimals a currency's amounts have (2 for USD, 0 for JPY); 2 for a code this browser does not know. */
function decimalsOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A price in the currency's smallest unit as people read it: 999 USD → "9.99 USD". */
export const packagePrice = (minor: number, currency: string): string => {
  const decimals = decimalsOf(currency);
  return `${(minor / 10 ** decimals).toFixed(decimals)} ${currency}`;
};

/** "9.99" in USD → 999; undefined when it is not an amount of that currency. */
export function toMinor(text: string, currency: string): number | undefined {
  const decimals = decimalsOf(currency);
  const pattern = decimals === 0 ? /^\d{1,13}$/ : new RegExp(`^\\d{1,13}([.,]\\d{1,${decimals}})?$`);
  const value = text.trim();
  if (!pattern.test(value)) return undefined;
  return Math.round(Number(value.replace(',', '.')) * 10 ** decimals);
}

/** Packages: what customers can buy (support reads); admins add packages and stop selling them, each with a reason. */
export function PackagesPage() {
  const admin = useStaff().role === 'admin';
  const { state, reload } = useLoad<{ packages: StaffPackage[] }>('/admin/packages');
  const [disabling, setDisabling] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string>();
  const packages = state.status === 'ready' ? state.data.packages : [];
  const finish = (message: string) => {
    setDisabling(undefined);
    setAdding(false);
    setDone(message);
    reload();
  };
  const current = packages.find((p) => p.code === disabling);

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <p className="muted">{admin ? t.introAdmin : t.introSupport}</p>
      <DoneNotice message={done} />
      <LoadState state={state} />
      {state.status === 'ready' && packages.length === 0 ? <p className="empty">{t.none}</p> : null}
      {packages.length > 0 ? (
        <div className="console-table-wrap">
          <table className="console-table console-table--cards">
            <caption className="visually-hidden">{t.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.code}</th>
                <th scope="col" className="numeric">
                  {t.credits}
                </th>
                <th scope="col" className="numeric">
                  {t.price}
                </th>
                <th scope="col">{t.interval}</th>
                <th scope="col">{t.storeProduct}</th>
                <th scope="col">{t.status}</th>
                <th scope="col" className="numeric">
                  {t.sold}
                </th>
                {admin ? <th scope="col">{t.actions}</th> : null}
              </tr>
            </thead>
            <tbody>
              {packages.map((p) => (
                <tr key={p.id}>
                  <th scope="row" data-label={t.code}>
                    {p.code} <span className="muted small">{t.since(formatWhen(p.createdAt))}</span>
                  </th>
                  <td className="numeric" data-label={t.credits}>
                    {count(p.credits)}
                  </td>
                  <td className="numeric" data-label={t.price}>
                    {packagePrice(p.price, p.currency)}
                  </td>
                  <td data-label={t.interval}>{p.interval ? t.every[p.interval] : t.oneOff}</td>
                  <td data-label={t.storeProduct}>{p.storeProduct ?? '—'}</td>
                  <td data-label={t.status}>
                    <span className={`badge ${p.active ? 'badge--completed' : 'badge--cancelled'}`}>
                      {p.active ? t.onSale : t.disabled}
                    </span>
                  </td>
                  <td className="numeric" data-label={t.sold}>
                    {count(p.sold)}
                  </td>
                  {admin ? (
                    <td data-label={t.actions}>
                      {p.active ? (
                        <button
                          className="button button--ghost button--small"
                          type="button"
                          aria-expanded={disabling === p.code}
                          onClick={() => setDisabling(p.code)}
                        >
                          {t.disable(p.code)}
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {current ? (
        <ActionForm
          key={current.code}
          label={t.disableTitle(current.code)}
          submit={t.disableSubmit}
          danger
          onCancel={() => setDisabling(undefined)}
          onSubmit={async (reason) => {
            const answer = await api<{ disabled: boolean }>(`/admin/packages/${encodeURIComponent(current.code)}/disable`, {
              method: 'POST',
              body: { reason },
            });
            finish(answer.disabled ? t.disabledNow(current.code) : t.alreadyDisabled(current.code));
          }}
        >
          <h2>{t.disableTitle(current.code)}</h2>
          <p>{t.disableIntro}</p>
        </ActionForm>
      ) : null}
      {admin ? (
        <section className="console-section" aria-labelledby="add-package">
          <h2 id="add-package">{t.addTitle}</h2>
          {adding ? (
            <AddPackage onAdded={(code) => finish(t.added(code))} onCancel={() => setAdding(false)} />
          ) : (
            <button className="button button--secondary" type="button" onClick={() => setAdding(true)}>
              {t.addOpen}
            </button>
          )}
        </section>
      ) : null}
    </>
  );
}

function AddPackage({ onAdded, onCancel }: { onAdded: (code: string) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const [credits, setCredits] = useState('');
  const [price, setPrice] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [interval, setPlan] = useState('');
  const [storeProduct, setStoreProduct] = useState('');
  const upper = currency.trim().toUpperCase();
  return (
    <ActionForm
      label={t.addTitle}
      submit={t.addSubmit}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        const minor = toMinor(price, upper);
        if (minor === undefined) throw new ApiError(400, 'VALIDATION_FAILED', t.badPrice(upper, decimalsOf(upper)));
        const added = await api<StaffPackage>('/admin/packages', {
          method: 'POST',
          body: {
            code: code.trim(),
            credits: Number(credits.trim()),
            price: minor,
            currency: upper,
            interval: interval || undefined,
            storeProduct: storeProduct.trim() || undefined,
            reason,
          },
        });
        onAdded(added.code);
      }}
    >
      <p className="small muted">{t.addIntro}</p>
      <Field label={t.code} value={code} onChange={setCode} required autoComplete="off" maxLength={64} hint={t.codeHint} />
      <Field label={t.credits} value={credits} onChange={setCredits} required inputMode="numeric" pattern="[0-9]+" />
      <Field label={t.currency} value={currency} onChange={setCurrency} required maxLength={3} autoComplete="off" hint={t.currencyHint} />
      <Field
        label={t.priceField(upper || '…')}
        value={price}
        onChange={setPrice}
        required
        inputMode="decimal"
        hint={toMinor(price, upper) !== undefined ? t.priceIs(packagePrice(toMinor(price, upper) ?? 0, upper)) : t.priceHint}
      />
      <Select
        label={t.interval}
        value={interval}
        onChange={setPlan}
        options={[
          { value: '', label: t.oneOff },
          { value: 'month', label: t.every.month },
          { value: 'year', label: t.every.year },
        ]}
      />
      <Field label={t.storeProduct} value={storeProduct} onChange={setStoreProduct} autoComplete="off" hint={t.storeProductHint} />
    </ActionForm>
  );
}
