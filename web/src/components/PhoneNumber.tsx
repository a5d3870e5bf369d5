import { useEffect, useState } from 'react';
import { t } from '../i18n/index.ts';
import { formatPhoneIfLoaded, loadPhoneFormatter, nationalNumber } from '../lib/format.ts';
import { CopyButton } from './CopyButton.tsx';

/**
 * "+62 812 3456 7890" for people: at once when the formatting rules are loaded (the buy page loads
 * them ahead); otherwise undefined until they are, a moment later.
 */
export function useFormattedPhone(phone: string): string | undefined {
  const ready = formatPhoneIfLoaded(phone);
  const [late, setLate] = useState<{ phone: string; text: string }>();
  useEffect(() => {
    if (ready !== undefined) return;
    let live = true;
    // Resolves with the raw form if the rules cannot load (offline): shown as it is rather than never.
    void loadPhoneFormatter().then((format) => {
      if (live) setLate({ phone, text: format(phone) });
    });
    return () => {
      live = false;
    };
  }, [phone, ready]);
  return ready ?? (late?.phone === phone ? late.text : undefined);
}

/** The rented number, large, with copy buttons: the whole number, and without the country code for forms that ask for it apart. */
export function PhoneNumber({ phone, dialCode }: { phone: string; dialCode: string | undefined }) {
  const formatted = useFormattedPhone(phone);
  return (
    <div className="phone">
      <p className="phone__number">
        <span className="visually-hidden">{t.orders.number}: </span>
        {formatted === undefined ? (
          // The raw form would flash and then jump as it is regrouped: its room is kept, unseen, instead.
          <span className="phone__pending" aria-hidden="true">
            {phone}
          </span>
        ) : (
          <span translate="no">{formatted}</span>
        )}
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
