import { t } from '../i18n/index.ts';
import { Checkbox } from './Field.tsx';

export interface Consent {
  age: boolean;
  policy: boolean;
}

export interface ConsentErrors {
  age?: string;
  policy?: string;
}

export function consentErrors(consent: Consent, minimumAge: number): ConsentErrors {
  return {
    age: consent.age ? undefined : t.auth.ageRequired(minimumAge),
    policy: consent.policy ? undefined : t.auth.policyRequired,
  };
}

/** The minimum age (P13) and the privacy policy, confirmed before any account exists, with a link to read the policy. */
export function ConsentFields({
  minimumAge,
  value,
  onChange,
  errors = {},
}: {
  minimumAge: number;
  value: Consent;
  onChange: (value: Consent) => void;
  errors?: ConsentErrors;
}) {
  return (
    <fieldset className="consent">
      <legend className="visually-hidden">{t.auth.policyConfirm}</legend>
      <Checkbox name="age" checked={value.age} onChange={(age) => onChange({ ...value, age })} error={errors.age}>
        {t.auth.ageConfirm(minimumAge)}
      </Checkbox>
      <Checkbox name="policy" checked={value.policy} onChange={(policy) => onChange({ ...value, policy })} error={errors.policy}>
        {t.auth.policyConfirm}
      </Checkbox>
      <p className="consent__link">
        <a href="/privacy" target="_blank" rel="noopener">
          {t.auth.readPolicy} <span className="visually-hidden">{t.common.opensInNewTab}</span>
        </a>
      </p>
    </fieldset>
  );
}
