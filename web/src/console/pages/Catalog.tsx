import { type FormEvent, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { api, errorText } from '../api.ts';
import { ActionForm, DoneNotice, ErrorNotice, LoadState, Select, useLoad } from '../data.tsx';
import { useStaff } from '../session.tsx';

export interface CatalogRuleView {
  id: string;
  scope: 'service' | 'country' | 'pair';
  service: string | null;
  country: string | null;
  label: string;
  disabled: boolean;
  priceCredits: number | null;
  markupPercent: string | null;
}

export interface PricePreview {
  label: string;
  service: string;
  country: string;
  sold: boolean;
  rules: CatalogRuleView[];
  offers: {
    provider: string;
    cost: number;
    currency: string;
    markupPercent: string | null;
    feeCredits: number | null;
    priority: number | null;
    price: number;
    inStock: number;
    wins: boolean;
  }[];
}

const t = c.catalog;
type Change = 'disable' | 'enable' | 'price' | 'markup' | 'reset';

/** What a rule says, in words. */
const ruleText = (rule: CatalogRuleView) =>
  [
    rule.disabled ? t.notSold : null,
    rule.priceCredits !== null ? t.fixedPrice(rule.priceCredits) : null,
    rule.markupPercent !== null ? t.markupOf(rule.markupPercent) : null,
  ]
    .filter(Boolean)
    .join(', ');

/** The body of POST /admin/catalog/rules for a change typed in the form. */
function changeBody(change: Change, value: string): Record<string, unknown> {
  switch (change) {
    case 'disable':
      return { disabled: true };
    case 'enable':
      return { disabled: false };
    case 'price':
      return { priceCredits: Number(value.trim()), markupPercent: null };
    case 'markup':
      return { markupPercent: value.trim(), priceCredits: null };
    case 'reset':
      return { priceCredits: null, markupPercent: null };
  }
}

/** Catalog: the operator's rules (admins change them, live on every instance), and the price preview. */
export function CatalogPage() {
  const admin = useStaff().role === 'admin';
  const { state, reload } = useLoad<{ rules: CatalogRuleView[] }>('/admin/catalog/rules');
  const services = useLoad<{ services: { code: string; name: string }[] }>('/services');
  const countries = useLoad<{ countries: { code: string; name: string }[] }>('/countries');
  const [done, setDone] = useState<string>();
  const rules = state.status === 'ready' ? state.data.rules : [];

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <p className="muted">{t.intro}</p>
      <datalist id="catalog-services">
        {services.state.status === 'ready'
          ? services.state.data.services.map((s) => <option key={s.code} value={s.code} label={s.name} />)
          : null}
      </datalist>
      <datalist id="catalog-countries">
        {countries.state.status === 'ready'
          ? countries.state.data.countries.map((country) => <option key={country.code} value={country.code} label={country.name} />)
          : null}
      </datalist>

      <section className="console-section" aria-labelledby="catalog-rules">
        <h2 id="catalog-rules">{t.rulesTitle}</h2>
        <DoneNotice message={done} />
        <LoadState state={state} />
        {state.status === 'ready' && rules.length === 0 ? <p className="empty">{t.noRules}</p> : null}
        {rules.length > 0 ? (
          <div className="console-table-wrap">
            <table className="console-table console-table--cards">
              <caption className="visually-hidden">{t.rulesTitle}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.appliesTo}</th>
                  <th scope="col">{t.scope}</th>
                  <th scope="col">{t.rule}</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => (
                  <tr key={rule.id}>
                    <th scope="row" data-label={t.appliesTo}>
                      {rule.label} <span className="muted small">({[rule.service, rule.country].filter(Boolean).join(' · ')})</span>
                    </th>
                    <td data-label={t.scope}>{t.scopes[rule.scope]}</td>
                    <td data-label={t.rule}>{ruleText(rule)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <p className="small muted">{t.precedence}</p>
        {admin ? (
          <ChangeRule
            onDone={(message) => {
              setDone(message);
              reload();
            }}
          />
        ) : null}
      </section>

      <Preview />
    </>
  );
}

function ChangeRule({ onDone }: { onDone: (message: string) => void }) {
  const [service, setService] = useState('');
  const [country, setCountry] = useState('');
  const [change, setChange] = useState<Change>('disable');
  const [value, setValue] = useState('');
  return (
    <ActionForm
      label={t.changeTitle}
      submit={t.apply}
      onSubmit={async (reason) => {
        const answer = await api<{ label: string; rule: CatalogRuleView | null }>('/admin/catalog/rules', {
          method: 'POST',
          body: {
            service: service.trim() || undefined,
            country: country.trim().toUpperCase() || undefined,
            ...changeBody(change, value),
            reason,
          },
        });
        onDone(answer.rule ? t.changed(answer.label, ruleText(answer.rule)) : t.cleared(answer.label));
      }}
    >
      <h3>{t.changeTitle}</h3>
      <p className="small muted">{t.changeIntro}</p>
      <Field label={t.service} value={service} onChange={setService} list="catalog-services" autoComplete="off" hint={t.serviceHint} />
      <Field label={t.country} value={country} onChange={setCountry} list="catalog-countries" autoComplete="off" hint={t.countryHint} />
      <Select
        label={t.change}
        value={change}
        onChange={(next) => setChange(next as Change)}
        options={(['disable', 'enable', 'price', 'markup', 'reset'] as const).map((value) => ({ value, label: t.changes[value] }))}
      />
      {change === 'price' ? <Field label={t.priceCredits} inputMode="numeric" value={value} onChange={setValue} required /> : null}
      {change === 'markup' ? <Field label={t.markupPercent} inputMode="decimal" value={value} onChange={setValue} required /> : null}
    </ActionForm>
  );
}

function Preview() {
  const [service, setService] = useState('');
  const [country, setCountry] = useState('');
  const [preview, setPreview] = useState<PricePreview>();
  const [error, setError] = useState<string>();
  const show = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const query = new URLSearchParams({ service: service.trim(), country: country.trim().toUpperCase() });
      setPreview(await api<PricePreview>(`/admin/catalog/preview?${query}`));
    } catch (failure) {
      setPreview(undefined);
      setError(errorText(failure));
    }
  };
  return (
    <section className="console-section" aria-labelledby="catalog-preview">
      <h2 id="catalog-preview">{t.previewTitle}</h2>
      <p className="muted">{t.previewIntro}</p>
      <form className="console-filters" onSubmit={show} aria-label={t.previewTitle}>
        <Field label={t.service} value={service} onChange={setService} list="catalog-services" autoComplete="off" required />
        <Field label={t.country} value={country} onChange={setCountry} list="catalog-countries" autoComplete="off" required />
        <button className="button button--primary" type="submit">
          {t.previewSubmit}
        </button>
      </form>
      <ErrorNotice message={error} />
      {preview ? (
        <div aria-live="polite">
          <h3>{preview.label}</h3>
          {preview.rules.length > 0 ? (
            <p>{t.applying(preview.rules.map((rule) => `${rule.label}: ${ruleText(rule)}`).join('; '))}</p>
          ) : null}
          {!preview.sold ? <p className="notice notice--warning">{t.notSoldNow}</p> : null}
          {preview.sold && preview.offers.length === 0 ? <p className="empty">{t.noOffers}</p> : null}
          {preview.offers.length > 0 ? (
            <div className="console-table-wrap">
              <table className="console-table console-table--cards">
                <caption className="visually-hidden">{t.previewCaption(preview.label)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.provider}</th>
                    <th scope="col" className="numeric">
                      {t.cost}
                    </th>
                    <th scope="col">{t.terms}</th>
                    <th scope="col" className="numeric">
                      {t.customerPays}
                    </th>
                    <th scope="col" className="numeric">
                      {t.inStock}
                    </th>
                    <th scope="col">{t.outcome}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.offers.map((offer) => (
                    <tr key={offer.provider}>
                      <th scope="row" data-label={t.provider}>
                        {offer.provider}
                      </th>
                      <td className="numeric" data-label={t.cost}>
                        {offer.cost.toFixed(4).replace(/0{1,2}$/, '')} {offer.currency}
                      </td>
                      <td data-label={t.terms}>{t.termsText(offer.markupPercent, offer.feeCredits, offer.priority)}</td>
                      <td className="numeric" data-label={t.customerPays}>
                        {t.credits(offer.price)}
                      </td>
                      <td className="numeric" data-label={t.inStock}>
                        {offer.inStock}
                      </td>
                      <td data-label={t.outcome}>{offer.wins ? <strong>{t.wins}</strong> : t.fallback}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
