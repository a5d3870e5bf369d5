import { useId } from 'react';
import { t } from '../../i18n/index.ts';
import type { PrivacyRequestType } from '../../lib/types.ts';

export const REQUEST_TYPES: PrivacyRequestType[] = [
  'access',
  'rectification',
  'erasure',
  'portability',
  'objection',
  'restriction',
  'withdraw_consent',
];
const s = () => t.privacyRequests;

interface RequestTypeFieldsProps {
  type: PrivacyRequestType;
  onType: (type: PrivacyRequestType) => void;
  details: string;
  onDetails: (details: string) => void;
  /** Say under the details what they are for (signed in, where the request is shown back). */
  detailsHint?: boolean;
}

/** The right asked for, with what it means in plain words, and optional details: every form that files a request. */
export function RequestTypeFields({ type, onType, details, onDetails, detailsHint = false }: RequestTypeFieldsProps) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-type`}>{s().typeLabel}</label>
        <select
          id={`${id}-type`}
          value={type}
          onChange={(event) => onType(event.target.value as PrivacyRequestType)}
          aria-describedby={`${id}-explain`}
        >
          {REQUEST_TYPES.map((value) => (
            <option key={value} value={value}>
              {s().types[value]}
            </option>
          ))}
        </select>
        <p id={`${id}-explain`} className="field__hint">
          {s().explain[type]}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-details`}>{s().detailsLabel}</label>
        <textarea id={`${id}-details`} value={details} maxLength={2000} rows={3} onChange={(event) => onDetails(event.target.value)} />
        {detailsHint ? <p className="field__hint">{s().detailsHint}</p> : null}
      </div>
    </>
  );
}
