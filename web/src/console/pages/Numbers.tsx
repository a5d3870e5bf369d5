import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { api } from '../api.ts';
import {
  ActionForm,
  AddSection,
  DataTable,
  DoneNotice,
  formatWhen,
  LoadState,
  MoreButton,
  OpenButton,
  Select,
  useLoad,
  usePagedList,
} from '../data.tsx';
import { useStaff } from '../session.tsx';

export interface PoolGateway {
  name: string;
  kind: 'android-sms-gateway' | 'twilio' | 'smpp';
  state: 'unknown' | 'up' | 'down';
  lastSeenAt: string | null;
  numbers: number;
  createdAt: string;
}

export interface PoolNumber {
  number: string;
  gateway: string;
  country: string;
  services: string[] | null;
  device: string | null;
  sim: number | null;
  cost: number;
  state: 'free' | 'rented' | 'cooling';
  coolingUntil: string | null;
  lastSoldAt: string | null;
  rentPerDay: number | null;
}

export interface UnmatchedMessage {
  id: string;
  receivedAt: string;
  gateway: string;
  number: string | null;
  sender: string;
  text: string;
}

const t = c.numbers;
/** USD as the operator typed it: up to 6 decimals, at least 2. */
const usd = (amount: number) => amount.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const blank = (value: string) => (value.trim() === '' ? undefined : value.trim());

/**
 * Numbers: the operator's own numbers (the provider `pool`): gateways and their state, the numbers with
 * their state, cost and rent rate (support reads), added, removed and given a rent rate by admins with a
 * reason; the unmatched messages, opened on demand (every read is audited).
 */
export function NumbersPage() {
  const admin = useStaff().role === 'admin';
  const [gatewayFilter, setGatewayFilter] = useState('');
  const [stateFilter, setStateFilter] = useState('');
  const query = new URLSearchParams();
  if (gatewayFilter) query.set('gateway', gatewayFilter);
  if (stateFilter) query.set('state', stateFilter);
  const gateways = useLoad<{ gateways: PoolGateway[] }>('/admin/pool/gateways');
  const numbers = useLoad<{ numbers: PoolNumber[] }>(`/admin/pool/numbers${query.size > 0 ? `?${query}` : ''}`);
  const [open, setOpen] = useState<{ number: string; what: 'rate' | 'remove' }>();
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string>();
  const [showMessages, setShowMessages] = useState(false);

  const gatewayList = gateways.state.status === 'ready' ? gateways.state.data.gateways : [];
  const numberList = numbers.state.status === 'ready' ? numbers.state.data.numbers : [];
  const refresh = () => {
    gateways.reload();
    numbers.reload();
  };
  const finish = (message: string) => {
    setOpen(undefined);
    setAdding(false);
    setDone(message);
    refresh();
  };
  const current = open ? numberList.find((n) => n.number === open.number) : undefined;

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <p className="muted">{admin ? t.introAdmin : t.introSupport}</p>
      <p>
        <button className="button button--secondary button--small" type="button" onClick={refresh}>
          {t.refresh}
        </button>
      </p>
      <DoneNotice message={done} />

      <section className="console-section" aria-labelledby="pool-gateways">
        <h2 id="pool-gateways">{t.gateways}</h2>
        <LoadState state={gateways.state} />
        {gateways.state.status === 'ready' ? (
          <DataTable
            caption={t.gateways}
            empty={t.noGateways}
            rows={gatewayList}
            rowKey={(g) => g.name}
            columns={[
              { label: t.name, cell: (g) => g.name },
              { label: t.kind, cell: (g) => t.kinds[g.kind] ?? g.kind },
              {
                label: t.gatewayState,
                cell: (g) => (
                  <span
                    className={`badge ${g.state === 'up' ? 'badge--completed' : g.state === 'down' ? 'badge--failed' : 'badge--waiting'}`}
                  >
                    {t.gatewayStates[g.state] ?? g.state}
                  </span>
                ),
              },
              { label: t.lastSeen, cell: (g) => formatWhen(g.lastSeenAt) },
              { label: t.numberCount, numeric: true, cell: (g) => g.numbers },
            ]}
          />
        ) : null}
      </section>

      <section className="console-section" aria-labelledby="pool-numbers">
        <h2 id="pool-numbers">{t.numbers}</h2>
        <div className="console-filters">
          <Select
            label={t.filterGateway}
            value={gatewayFilter}
            onChange={setGatewayFilter}
            options={[{ value: '', label: t.any }, ...gatewayList.map((g) => ({ value: g.name, label: g.name }))]}
          />
          <Select
            label={t.filterState}
            value={stateFilter}
            onChange={setStateFilter}
            options={[
              { value: '', label: t.any },
              { value: 'free', label: t.states.free ?? 'free' },
              { value: 'rented', label: t.states.rented ?? 'rented' },
              { value: 'cooling', label: t.states.cooling ?? 'cooling' },
            ]}
          />
        </div>
        <LoadState state={numbers.state} />
        {numbers.state.status === 'ready' ? (
          <DataTable
            caption={t.numbers}
            empty={t.noNumbers}
            rows={numberList}
            rowKey={(n) => n.number}
            columns={[
              { label: t.number, cell: (n) => n.number },
              {
                label: t.gateway,
                cell: (n) => (
                  <>
                    {n.gateway}
                    {n.device ? <span className="muted small"> {n.sim ? `${n.device} · SIM ${n.sim}` : n.device}</span> : null}
                  </>
                ),
              },
              { label: t.country, cell: (n) => n.country },
              { label: t.services, cell: (n) => (n.services ? n.services.join(', ') : t.allServices) },
              {
                label: t.state,
                cell: (n) => (
                  <span
                    className={`badge ${n.state === 'free' ? 'badge--completed' : n.state === 'rented' ? 'badge--sandbox' : 'badge--waiting'}`}
                  >
                    {n.state === 'cooling' && n.coolingUntil ? t.coolingUntil(formatWhen(n.coolingUntil)) : (t.states[n.state] ?? n.state)}
                  </span>
                ),
              },
              { label: t.cost, numeric: true, cell: (n) => `${usd(n.cost)} USD` },
              { label: t.rentRate, numeric: true, cell: (n) => (n.rentPerDay === null ? t.notRented : t.perDay(usd(n.rentPerDay))) },
              { label: t.lastSold, cell: (n) => formatWhen(n.lastSoldAt) },
              admin && {
                label: t.actions,
                cell: (n) => (
                  <div className="row__actions">
                    <OpenButton
                      label={t.setRate(n.number)}
                      open={open?.number === n.number && open.what === 'rate'}
                      onClick={() => setOpen({ number: n.number, what: 'rate' })}
                    />
                    <OpenButton
                      label={t.remove(n.number)}
                      open={open?.number === n.number && open.what === 'remove'}
                      onClick={() => setOpen({ number: n.number, what: 'remove' })}
                      quiet
                    />
                  </div>
                ),
              },
            ]}
          />
        ) : null}
        {current && open?.what === 'rate' ? (
          <RentRateForm key={`rate-${current.number}`} number={current} onCancel={() => setOpen(undefined)} onDone={finish} />
        ) : null}
        {current && open?.what === 'remove' ? (
          <ActionForm
            key={`remove-${current.number}`}
            label={t.removeTitle(current.number)}
            submit={t.removeSubmit}
            danger
            onCancel={() => setOpen(undefined)}
            onSubmit={async (reason) => {
              await api(`/admin/pool/numbers/${encodeURIComponent(current.number)}/remove`, { method: 'POST', body: { reason } });
              finish(t.removed(current.number));
            }}
          >
            <h2>{t.removeTitle(current.number)}</h2>
            <p>{t.removeIntro}</p>
          </ActionForm>
        ) : null}
      </section>

      {admin ? (
        <AddSection
          id="add-number"
          title={t.addTitle}
          openLabel={t.addOpen}
          open={adding}
          onOpen={() => setAdding(true)}
          form={<AddNumber gateways={gatewayList} onAdded={(number) => finish(t.added(number))} onCancel={() => setAdding(false)} />}
        />
      ) : null}

      <section className="console-section" aria-labelledby="pool-unmatched">
        <h2 id="pool-unmatched">{t.unmatched}</h2>
        <p className="muted small">{t.unmatchedHelp}</p>
        {showMessages ? (
          <UnmatchedMessages />
        ) : (
          <button className="button button--secondary" type="button" onClick={() => setShowMessages(true)}>
            {t.unmatchedOpen}
          </button>
        )}
      </section>
    </>
  );
}

function RentRateForm({ number, onCancel, onDone }: { number: PoolNumber; onCancel: () => void; onDone: (message: string) => void }) {
  const [perDay, setPerDay] = useState(number.rentPerDay === null ? '' : String(number.rentPerDay));
  return (
    <ActionForm
      label={t.rateTitle(number.number)}
      submit={t.rateSubmit}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        const answer = await api<{ number: string; perDay: number | null }>(
          `/admin/pool/numbers/${encodeURIComponent(number.number)}/rent-rate`,
          { method: 'POST', body: { perDay: blank(perDay) ?? null, reason } },
        );
        onDone(answer.perDay === null ? t.rateCleared(answer.number) : t.rateSet(answer.number, usd(answer.perDay)));
      }}
    >
      <h2>{t.rateTitle(number.number)}</h2>
      <p className="small muted">{t.rateIntro}</p>
      <Field label={t.rateField} value={perDay} onChange={setPerDay} inputMode="decimal" autoComplete="off" />
    </ActionForm>
  );
}

function AddNumber({
  gateways,
  onAdded,
  onCancel,
}: {
  gateways: readonly PoolGateway[];
  onAdded: (number: string) => void;
  onCancel: () => void;
}) {
  const [picked, setGateway] = useState('');
  // The first gateway until one is picked: the list may arrive after the form opened.
  const gateway = gateways.some((g) => g.name === picked) ? picked : (gateways[0]?.name ?? '');
  const [number, setNumber] = useState('');
  const [country, setCountry] = useState('');
  const [services, setServices] = useState('');
  const [device, setDevice] = useState('');
  const [sim, setSim] = useState('');
  const [cost, setCost] = useState('');
  const android = gateways.find((g) => g.name === gateway)?.kind === 'android-sms-gateway';
  return (
    <ActionForm
      label={t.addTitle}
      submit={t.addSubmit}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        const added = await api<PoolNumber>('/admin/pool/numbers', {
          method: 'POST',
          body: {
            gateway,
            number: number.trim(),
            country: blank(country),
            services: blank(services),
            device: android ? blank(device) : undefined,
            sim: android ? blank(sim) : undefined,
            cost: blank(cost),
            reason,
          },
        });
        onAdded(added.number);
      }}
    >
      <p className="small muted">{t.addIntro}</p>
      <Select label={t.gateway} value={gateway} onChange={setGateway} options={gateways.map((g) => ({ value: g.name, label: g.name }))} />
      <Field label={t.number} value={number} onChange={setNumber} required autoComplete="off" inputMode="tel" hint={t.numberHint} />
      <Field label={t.country} value={country} onChange={setCountry} autoComplete="off" maxLength={2} hint={t.countryHint} />
      <Field label={t.services} value={services} onChange={setServices} autoComplete="off" hint={t.servicesHint} />
      {android ? (
        <>
          <Field label={t.device} value={device} onChange={setDevice} autoComplete="off" hint={t.deviceHint} />
          <Field label={t.sim} value={sim} onChange={setSim} inputMode="numeric" pattern="[0-9]{1,2}" autoComplete="off" />
        </>
      ) : null}
      <Field label={t.cost} value={cost} onChange={setCost} inputMode="decimal" autoComplete="off" hint={t.costHint} />
    </ActionForm>
  );
}

/** The unmatched messages, newest first, paged: mounted only when staff open them (each page read is audited). */
function UnmatchedMessages() {
  const list = usePagedList<UnmatchedMessage, { messages: UnmatchedMessage[]; nextCursor: string | null }>('/admin/pool/messages', {
    key: 'messages',
    query: 'limit=50',
  });
  return (
    <>
      <LoadState state={list.state} />
      {list.state.status === 'ready' ? (
        <DataTable
          caption={t.unmatched}
          empty={t.noUnmatched}
          rows={list.items}
          rowKey={(m) => m.id}
          variant="stack"
          columns={[
            { label: t.received, cell: (m) => formatWhen(m.receivedAt) },
            { label: t.gateway, cell: (m) => m.gateway },
            { label: t.number, cell: (m) => m.number ?? t.unknownReceiver },
            { label: t.sender, cell: (m) => m.sender },
            { label: t.text, cell: (m) => m.text },
          ]}
        />
      ) : null}
      <MoreButton list={list} label={t.more} />
    </>
  );
}
