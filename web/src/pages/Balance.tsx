import { DemoTopUp } from '../components/DemoTopUp.tsx';
import { PagedList } from '../components/PagedList.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatCount, formatCredits, formatDateTime, formatSigned } from '../lib/format.ts';
import { usePaged, useTitle } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import { useDemoCredits } from '../lib/sandbox.ts';
import type { StatementLine } from '../lib/types.ts';
import { useMe } from '../state/session.tsx';

const PAGE = 25;

const fetchStatement = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ lines: StatementLine[]; nextCursor: string | null }>(
    `/ledger/statement?limit=${PAGE}${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
    {
      signal,
    },
  ).then((answer) => ({ items: answer.lines, nextCursor: answer.nextCursor }));

/**
 * A movement in words: what the available balance did, and what happened to reserved credits.
 * A hold moves credits from available to reserved; a capture spends reserved ones; a release gives them back.
 */
export function describeChange(change: StatementLine['change']): { amount: string; note: string | undefined } {
  const amount = formatSigned(change.available);
  if (change.held > 0) return { amount, note: t.balance.reserved(formatCount(change.held)) };
  if (change.held < 0 && change.available > 0) return { amount, note: t.balance.released(formatCount(-change.held)) };
  if (change.held < 0) return { amount, note: t.balance.spentFromReserve(formatCount(-change.held)) };
  return { amount, note: undefined };
}

function Line({ line }: { line: StatementLine }) {
  const { amount, note } = describeChange(line.change);
  return (
    <tr>
      <td data-label={t.balance.when}>
        <time dateTime={line.at}>{formatDateTime(line.at)}</time>
      </td>
      <td data-label={t.balance.what}>
        {line.reason}
        {line.purse === 'demo' ? (
          <>
            {' '}
            <span className="badge badge--sandbox">{t.balance.demoLine}</span>
          </>
        ) : null}
      </td>
      <td data-label={t.balance.change} className="numeric">
        <span className={line.change.available > 0 ? 'positive' : line.change.available < 0 ? 'negative' : undefined}>{amount}</span>
        {note ? <span className="muted small block">{note}</span> : null}
      </td>
      <td data-label={t.balance.after} className="numeric">
        {formatCount(line.balanceAfter.available)}
      </td>
    </tr>
  );
}

/** The balance and its statement: "why did my balance change?" */
export function Balance() {
  useTitle(t.balance.title);
  const me = useMe();
  const demo = useDemoCredits();
  const statement = usePaged(fetchStatement, [me.balance.available, me.balance.held, me.balance.demo.available, me.balance.demo.held]);
  const demoHeld = me.balance.demo.available + me.balance.demo.held;
  return (
    <div>
      <h1 tabIndex={-1}>{t.balance.title}</h1>
      <div className="balance-summary">
        <div className="card balance-summary__item">
          <p className="muted">{t.balance.available}</p>
          <p className="balance-summary__value">{formatCredits(me.balance.available)}</p>
        </div>
        <div className="card balance-summary__item">
          <p className="muted">{t.balance.held}</p>
          <p className="balance-summary__value balance-summary__value--small">{formatCredits(me.balance.held)}</p>
          <p className="muted small">{t.balance.heldHint}</p>
        </div>
        {demoHeld > 0 ? (
          <div className="card balance-summary__item">
            <p className="muted">
              {t.balance.demoAvailable} <span className="badge badge--sandbox">{t.common.sandbox}</span>
            </p>
            <p className="balance-summary__value balance-summary__value--small">{formatCount(me.balance.demo.available)}</p>
            <p className="muted small">{t.balance.demoHint}</p>
          </div>
        ) : null}
      </div>
      <section className="card top-up-card" aria-labelledby="top-up-title">
        <h2 id="top-up-title">{t.balance.buyTitle}</h2>
        <p>{t.balance.buyText}</p>
        <p className="top-up-card__actions">
          <Link to="/top-up" className="button button--primary">
            {t.balance.topUp}
          </Link>
          <Link to="/payments">{t.balance.paymentHistory}</Link>
        </p>
      </section>
      {demo ? <DemoTopUp /> : null}
      <section aria-labelledby="statement-title">
        <h2 id="statement-title">{t.balance.statementTitle}</h2>
        <p className="lead">{t.balance.statementIntro}</p>
        <PagedList list={statement} empty={t.balance.statementEmpty}>
          {(lines) => (
            <table className="table table--cards">
              <caption className="visually-hidden">{t.balance.statementTitle}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.balance.when}</th>
                  <th scope="col">{t.balance.what}</th>
                  <th scope="col" className="numeric">
                    {t.balance.change}
                  </th>
                  <th scope="col" className="numeric">
                    {t.balance.after}
                  </th>
                </tr>
              </thead>
              <tbody>
                {lines.map((line) => (
                  <Line key={line.transferId} line={line} />
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </div>
  );
}
