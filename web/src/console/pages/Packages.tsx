import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { ApiError, api } from '../api.ts';
import { ActionForm, AddSection, DataTable, DoneNotice, formatWhen, LoadState, OpenButton, Select, useLoad } from '../data.tsx';
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
      {state.status === 'ready' ? (
        <DataTable
          caption={t.title}
          empty={t.none}
          rows={packages}
          rowKey={(p) => p.id}
          columns={[
            {
              label: t.code,
              cell: (p) => (
                <>
                  {p.code} <span className="muted small">{t.since(formatWhen(p.createdAt))}</span>
                </>
              ),
            },
            { label: t.credits, numeric: true, cell: (p) => count(p.credits) },
            { label: t.price, numeric: true, cell: (p) => packagePrice(p.price, p.currency) },
            { label: t.interval, cell: (p) => (p.interval ? t.every[p.interval] : t.oneOff) },
            { label: t.storeProduct, cell: (p) => p.storeProduct ?? '—' },
            {
              label: t.status,
              cell: (p) => (
                <span className={`badge ${p.active ? 'badge--completed' : 'badge--cancelled'}`}>{p.active ? t.onSale : t.disabled}</span>
              ),
            },
            { label: t.sold, numeric: true, cell: (p) => count(p.sold) },
            admin && {
              label: t.actions,
              cell: (p) =>
                p.active ? (
                  <OpenButton label={t.disable(p.code)} open={disabling === p.code} onClick={() => setDisabling(p.code)} quiet />
                ) : null,
            },
          ]}
        />
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
        <AddSection
          id="add-package"
          title={t.addTitle}
          openLabel={t.addOpen}
          open={adding}
          onOpen={() => setAdding(true)}
          form={<AddPackage onAdded={(code) => finish(t.added(code))} onCancel={() => setAdding(false)} />}
        />
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
