import { useState } from 'react';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useLoad, useTitle } from '../../lib/hooks.ts';
import { useLocation } from '../../lib/router.tsx';
import type { PrivacyRequest, PrivacyRequestType } from '../../lib/types.ts';
import { EmailLinkForm } from '../EmailLinkForm.tsx';
import { ErrorNotice, Loading, Notice } from '../Notice.tsx';
import { RequestTypeFields } from './RequestTypeFields.tsx';

const s = () => t.privacyRequests;

/** `/privacy/requests/by-email`: a request for someone who lost access; the same answer for every address. */
export function LostAccessRequest() {
  const [type, setType] = useState<PrivacyRequestType>('access');
  const [details, setDetails] = useState('');
  const send = async (email: string) => {
    const body = { email, type, ...(details.trim() ? { details: details.trim() } : {}) };
    return (await api<{ message: string }>('/privacy/requests/by-email', { method: 'POST', body })).message;
  };
  return (
    <EmailLinkForm
      title={s().lostTitle}
      intro={s().lostIntro}
      emailLabel={s().emailLabel}
      emailRequired={s().emailRequired}
      button={s().file}
      busyButton={s().filing}
      send={send}
    >
      <RequestTypeFields type={type} onType={setType} details={details} onDetails={setDetails} />
    </EmailLinkForm>
  );
}

// A token works once: one request per token, however many times the page renders or mounts.
const verifications = new Map<string, Promise<PrivacyRequest>>();
const verify = (token: string) => {
  const pending = verifications.get(token) ?? api<PrivacyRequest>('/privacy/requests/verify', { method: 'POST', body: { token } });
  verifications.set(token, pending);
  return pending;
};

/** `/privacy/requests/verify?token=…`, the e-mail's link: confirms the request as soon as the page opens. */
export function VerifyPrivacyRequest() {
  useTitle(s().verifyTitle);
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const result = useLoad(async () => (token ? verify(token) : undefined), [token]);
  return (
    <div className="auth">
      <h1 tabIndex={-1}>{s().verifyTitle}</h1>
      {!token ? (
        <Notice kind="error">{s().verifyMissingToken}</Notice>
      ) : result.loading ? (
        <Loading label={s().verifying} />
      ) : result.data ? (
        <Notice kind="success">{s().verified}</Notice>
      ) : (
        <ErrorNotice error={result.error} />
      )}
    </div>
  );
}
