import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { api, errorText } from '../api.ts';
import { AccountPage } from './Account.tsx';

interface Summary {
  id: string;
  kind: string;
  email: string | null;
  role: string;
  status: string;
  createdAt: string;
}

/** /admin/accounts (the search) and /admin/accounts/acc_… (one account). */
export function Accounts({ rest }: { rest: string }) {
  return rest ? <AccountPage id={rest} /> : <AccountSearch />;
}

/** The search keeps its term in the address (?q=…), so back and reload show the same results. */
function AccountSearch() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const [term, setTerm] = useState(q);
  const [result, setResult] = useState<{ by: string | null; accounts: Summary[] }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // The field follows the address when it changes (back, forward), and only then: never over what is being typed.
  const [shownQ, setShownQ] = useState(q);
  if (q !== shownQ) {
    setShownQ(q);
    setTerm(q);
  }

  useEffect(() => {
    setResult(undefined);
    setError(undefined);
    if (q.trim().length < 3) return;
    const controller = new AbortController();
    setBusy(true);
    api<{ by: string | null; accounts: Summary[] }>(`/admin/accounts?q=${encodeURIComponent(q)}`, { signal: controller.signal })
      .then(setResult, (failure) => {
        if (!controller.signal.aborted) setError(errorText(failure));
      })
      .finally(() => setBusy(false));
    return () => controller.abort();
  }, [q]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/admin/accounts?q=${encodeURIComponent(term.trim())}`);
  };

  return (
    <>
      <h1 tabIndex={-1}>{c.accounts.title}</h1>
      <search>
        <form onSubmit={submit} className="inline-form">
          <Field
            label={c.accounts.search}
            hint={c.accounts.searchHint}
            type="search"
            required
            minLength={3}
            value={term}
            onChange={setTerm}
          />
          <button className="button button--primary" type="submit">
            {c.accounts.find}
          </button>
        </form>
      </search>
      <div aria-live="polite">
        {busy ? <p className="muted">{c.accounts.searching}</p> : null}
        {error ? <p className="notice notice--error">{error}</p> : null}
        {result && result.by === null ? <p className="notice notice--warning">{c.accounts.unknownTerm}</p> : null}
        {result && result.by !== null && result.accounts.length === 0 ? <p>{c.accounts.none}</p> : null}
        {result && result.accounts.length > 0 ? (
          <div className="console-table-wrap">
            <table className="console-table">
              <caption className="muted">{c.accounts.matchedBy[result.by ?? ''] ?? ''}</caption>
              <thead>
                <tr>
                  <th scope="col">{c.accounts.columns.account}</th>
                  <th scope="col">{c.accounts.columns.email}</th>
                  <th scope="col">{c.accounts.columns.role}</th>
                  <th scope="col">{c.accounts.columns.status}</th>
                </tr>
              </thead>
              <tbody>
                {result.accounts.map((account) => (
                  <tr key={account.id}>
                    <td>
                      <Link to={`/admin/accounts/${account.id}`}>{account.id}</Link>
                    </td>
                    <td>{account.email ?? '—'}</td>
                    <td>{c.roles[account.role] ?? account.role}</td>
                    <td>{account.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </>
  );
}
