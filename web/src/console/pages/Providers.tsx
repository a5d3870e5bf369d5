import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { Link } from '../../lib/router.tsx';
import { api } from '../api.ts';
import { ActionForm, AddSection, DoneNotice, formatWhen, LoadState, OpenButton, Select, useLoad } from '../data.tsx';
import { useStaff } from '../session.tsx';

export interface AdminProvider {
  id: string;
  name: string;
  kind: 'sms-activate' | '5sim' | 'pool';
  baseUrl: string;
  priority: number;
  markupPercent: string;
  feeCredits: number;
  currency: string;
  health: 'unknown' | 'ok' | 'failing' | 'circuit_open';
  circuitOpen: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
  balance: number | null;
  balanceAt: string | null;
  lowBalance: number;
  balanceLow: boolean;
  offers: number;
  syncedAt: string | null;
  removed: boolean;
}

const t = c.providers;
const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;
/** "" → undefined; "12" → 12. */
const whole = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
const text = (value: string) => (value.trim() === '' ? undefined : value.trim());

/** Providers: terms, health, circuit and balance for staff; add, change and remove for admins (GET/POST /admin/providers). */
export function ProvidersPage() {
  const staff = useStaff();
  const admin = staff.role === 'admin';
  const { state, reload } = useLoad<{ providers: AdminProvider[] }>('/admin/providers');
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<{ name: string; pushUrl: string; warnings: string[] }>();
  const [open, setOpen] = useState<{ id: string; what: 'edit' | 'remove' }>();
  const [done, setDone] = useState<string>();

  const providers = state.status === 'ready' ? state.data.providers : [];
  const low = providers.filter((p) => p.balanceLow && !p.removed && p.kind !== 'pool');

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <p className="muted">{admin ? t.introAdmin : t.introSupport}</p>
      <DoneNotice message={done} />
      {low.length > 0 ? (
        <div className="notice notice--warning" role="alert">
          <p>{t.lowAlert}</p>
          <ul>
            {low.map((p) => (
              <li key={p.id}>{t.lowLine(p.name, money(p.balance ?? 0, p.currency), money(p.lowBalance, p.currency))}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <LoadState state={state} />
      {state.status === 'ready' && providers.length === 0 ? <p className="empty">{t.none}</p> : null}
      {providers.length > 0 ? (
        <div className="console-table-wrap">
          <table className="console-table console-table--cards">
            <caption className="visually-hidden">{t.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.name}</th>
                <th scope="col" className="numeric">
                  {t.priority}
                </th>
                <th scope="col">{t.markup}</th>
                <th scope="col">{t.health}</th>
                <th scope="col" className="numeric">
                  {t.balance}
                </th>
                <th scope="col" className="numeric">
                  {t.offers}
                </th>
                <th scope="col">{t.synced}</th>
                {admin ? <th scope="col">{t.actions}</th> : null}
              </tr>
            </thead>
            <tbody>
              {providers.map((p) => (
                <tr key={p.id}>
                  <th scope="row" data-label={t.name}>
                    {p.name} <span className="muted small">({p.kind})</span>
                    {p.removed ? <span className="badge badge--cancelled">{t.removed}</span> : null}
                  </th>
                  <td className="numeric" data-label={t.priority}>
                    {p.priority}
                  </td>
                  <td data-label={t.markup}>{t.markupText(p.markupPercent, p.feeCredits)}</td>
                  <td data-label={t.health}>
                    <span
                      className={`badge ${p.health === 'ok' ? 'badge--completed' : p.health === 'unknown' ? 'badge--waiting' : 'badge--failed'}`}
                    >
                      {t.healthText[p.health]}
                    </span>
                    <span className="small"> {p.circuitOpen ? t.circuitOpen : t.circuitClosed}</span>
                    {p.lastError && p.health !== 'ok' ? <span className="small muted"> {p.lastError}</span> : null}
                  </td>
                  <td className="numeric" data-label={t.balance}>
                    {p.kind === 'pool' ? (
                      <>
                        <span className="small muted">{t.pool}</span> <Link to="/admin/numbers">{t.poolLink}</Link>
                      </>
                    ) : (
                      <>
                        {p.balance === null ? t.unknownBalance : money(p.balance, p.currency)}
                        {p.balanceLow ? <strong className="negative"> {t.low}</strong> : null}
                        <span className="small muted"> {t.threshold(money(p.lowBalance, p.currency))}</span>
                      </>
                    )}
                  </td>
                  <td className="numeric" data-label={t.offers}>
                    {p.offers}
                  </td>
                  <td data-label={t.synced}>{formatWhen(p.syncedAt)}</td>
                  {admin ? (
                    <td data-label={t.actions}>
                      {p.removed ? null : (
                        <div className="row__actions">
                          <OpenButton
                            label={t.edit(p.name)}
                            open={open?.id === p.id && open.what === 'edit'}
                            onClick={() => setOpen({ id: p.id, what: 'edit' })}
                          />
                          <OpenButton
                            label={t.remove(p.name)}
                            open={open?.id === p.id && open.what === 'remove'}
                            onClick={() => setOpen({ id: p.id, what: 'remove' })}
                            quiet
                          />
                        </div>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {open
        ? (() => {
            const p = providers.find((candidate) => candidate.id === open.id);
            if (!p) return null;
            const finish = (message: string) => {
              setOpen(undefined);
              setDone(message);
              reload();
            };
            return open.what === 'edit' ? (
              <EditProvider key={p.id} provider={p} onDone={() => finish(t.changed(p.name))} onCancel={() => setOpen(undefined)} />
            ) : (
              <ActionForm
                key={`${p.id}-remove`}
                label={t.removeTitle(p.name)}
                submit={t.removeSubmit}
                danger
                onCancel={() => setOpen(undefined)}
                onSubmit={async (reason) => {
                  const removed = await api<{ draining: number; deleted: boolean }>(`/admin/providers/${p.id}/remove`, {
                    method: 'POST',
                    body: { reason },
                  });
                  finish(removed.deleted ? t.removedNow(p.name) : t.draining(p.name, removed.draining));
                }}
              >
                <h2>{t.removeTitle(p.name)}</h2>
                <p>{t.removeIntro}</p>
              </ActionForm>
            );
          })()
        : null}
      {admin ? (
        <AddSection
          id="add-provider"
          title={t.addTitle}
          openLabel={t.addOpen}
          open={adding}
          onOpen={() => setAdding(true)}
          form={
            <AddProvider
              onCancel={() => setAdding(false)}
              onAdded={(answer) => {
                setAdding(false);
                setAdded(answer);
                reload();
              }}
            />
          }
        >
          {added ? (
            <div className="notice notice--success" role="status">
              <p>{t.addedText(added.name)}</p>
              <p>{t.pushUrl}</p>
              <p className="code" data-testid="push-url">
                {added.pushUrl}
              </p>
              {added.warnings.map((warning) => (
                <p key={warning}>{warning}</p>
              ))}
            </div>
          ) : null}
        </AddSection>
      ) : null}
    </>
  );
}

function EditProvider({ provider, onDone, onCancel }: { provider: AdminProvider; onDone: () => void; onCancel: () => void }) {
  const [priority, setPriority] = useState(String(provider.priority));
  const [markup, setMarkup] = useState(provider.markupPercent);
  const [fee, setFee] = useState(String(provider.feeCredits));
  const [lowBalance, setLowBalance] = useState(String(provider.lowBalance));
  return (
    <ActionForm
      label={t.editTitle(provider.name)}
      submit={t.save}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        await api(`/admin/providers/${provider.id}`, {
          method: 'POST',
          body: {
            priority: whole(priority),
            markupPercent: text(markup),
            feeCredits: whole(fee),
            lowBalance: provider.kind === 'pool' ? undefined : text(lowBalance),
            reason,
          },
        });
        onDone();
      }}
    >
      <h2>{t.editTitle(provider.name)}</h2>
      <Field label={t.priority} inputMode="numeric" value={priority} onChange={setPriority} hint={t.priorityHint} />
      <Field label={t.markupPercent} inputMode="decimal" value={markup} onChange={setMarkup} />
      <Field label={t.fee} inputMode="numeric" value={fee} onChange={setFee} />
      {provider.kind === 'pool' ? null : (
        <Field label={t.lowBalanceField(provider.currency)} inputMode="decimal" value={lowBalance} onChange={setLowBalance} />
      )}
    </ActionForm>
  );
}

function AddProvider({
  onAdded,
  onCancel,
}: {
  onAdded: (answer: { name: string; pushUrl: string; warnings: string[] }) => void;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState('sms-activate');
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [priority, setPriority] = useState('');
  const [markup, setMarkup] = useState('');
  const [fee, setFee] = useState('');
  const [currency, setCurrency] = useState('');
  const [rate, setRate] = useState('');
  const [lowBalance, setLowBalance] = useState('');
  return (
    <ActionForm
      label={t.addTitle}
      submit={t.addSubmit}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        const answer = await api<{ provider: AdminProvider; pushUrl: string; warnings: string[] }>('/admin/providers', {
          method: 'POST',
          body: {
            kind,
            name: name.trim(),
            baseUrl: text(baseUrl),
            apiKey,
            priority: whole(priority),
            markupPercent: text(markup),
            feeCredits: whole(fee),
            currency: text(currency),
            creditsPerUnit: text(rate),
            lowBalance: text(lowBalance),
            reason,
          },
        });
        setApiKey('');
        onAdded({ name: answer.provider.name, pushUrl: answer.pushUrl, warnings: answer.warnings });
      }}
    >
      <Select
        label={t.kind}
        value={kind}
        onChange={setKind}
        options={[
          { value: 'sms-activate', label: 'SMS-Activate protocol' },
          { value: '5sim', label: '5sim' },
        ]}
      />
      <Field label={t.name} value={name} onChange={setName} required hint={t.nameHint} autoComplete="off" />
      <Field label={t.baseUrl} type="url" value={baseUrl} onChange={setBaseUrl} hint={t.baseUrlHint} autoComplete="off" />
      <Field
        label={t.apiKey}
        type="password"
        value={apiKey}
        onChange={setApiKey}
        required
        autoComplete="new-password"
        hint={t.apiKeyHint}
      />
      <Field label={t.priority} inputMode="numeric" value={priority} onChange={setPriority} hint={t.priorityHint} />
      <Field label={t.markupPercent} inputMode="decimal" value={markup} onChange={setMarkup} />
      <Field label={t.fee} inputMode="numeric" value={fee} onChange={setFee} />
      <Field label={t.currency} value={currency} onChange={setCurrency} hint={t.currencyHint} maxLength={3} />
      <Field label={t.rate} inputMode="decimal" value={rate} onChange={setRate} hint={t.rateHint} />
      <Field
        label={t.lowBalanceField(currency.trim().toUpperCase() || 'USD')}
        inputMode="decimal"
        value={lowBalance}
        onChange={setLowBalance}
      />
    </ActionForm>
  );
}
