import { useEffect, useState } from 'react';
import { t } from '../i18n/index.ts';
import { loadPhoneFormatter, nationalNumber } from '../lib/format.ts';
import { CopyButton } from './CopyButton.tsx';

/** "+62 812 3456 7890" for people; the E.164 form until the formatting rules have loaded. */
export function useFormattedPhone(phone: string): string {
  const [formatted, setFormatted] = useState(phone);
  useEffect(() => {
    let live = true;
    void loadPhoneFormatter().then((format) => {
      if (live) setFormatted(format(phone));
    });
    return () => {
      live = false;
    };
  }, [phone]);
  return formatted;
}

/** The rented number, large, with copy buttons: the whole number, and without the country code for forms that ask for it apart. */
export function PhoneNumber({ phone, dialCode }: { phone: string; dialCode: string | undefined }) {
  const formatted = useFormattedPhone(phone);
  return (
    <div className="phone">
      <p className="phone__number">
        <span className="visually-hidden">{t.orders.number}: </span>
        <span translate="no">{formatted}</span>
      </p>
      <div className="phone__actions">
        <CopyButton text={phone} label={t.orders.copyNumber} className="button--small" />
        {dialCode ? (
          <CopyButton text={nationalNumber(phone, dialCode)} label={t.orders.copyNational(dialCode)} className="button--small" />
        ) : null}
      </div>
    </div>
  );
}
