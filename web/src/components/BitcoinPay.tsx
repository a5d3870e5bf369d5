import { useId } from 'react';
import { t } from '../i18n/index.ts';
import { formatClock } from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import { serverNow } from '../lib/server-clock.ts';
import type { BitcoinCheckout } from '../lib/types.ts';
import { CopyButton } from './CopyButton.tsx';
import { Notice } from './Notice.tsx';
import { QrCode } from './QrCode.tsx';

/**
 * What the customer needs to pay from a wallet: the amount and the address (each with a copy
 * button), the BIP 21 request as a QR code and as a link for a wallet on this device, and how long
 * the price holds.
 */
export function BitcoinPay({ checkout }: { checkout: BitcoinCheckout }) {
  const titleId = useId();
  const now = serverNow(useNow());
  const left = (Date.parse(checkout.expiresAt) - now) / 1000;
  const expired = left <= 0;
  return (
    <section className="card bitcoin" aria-labelledby={titleId}>
      <h2 id={titleId}>{t.bitcoin.title}</h2>
      {expired ? (
        <Notice kind="warning">
          <p>{t.bitcoin.expired}</p>
          <p>
            <Link to="/top-up">{t.bitcoin.newQuote}</Link>
          </p>
        </Notice>
      ) : (
        <>
          <p>{t.bitcoin.send}</p>
          <div className="bitcoin__body">
            <figure className="bitcoin__qr">
              <QrCode text={checkout.uri} label={t.bitcoin.qrLabel(checkout.amountBtc)} />
              <figcaption className="muted small">{t.bitcoin.qrCaption}</figcaption>
            </figure>
            <dl className="bitcoin__details">
              <div>
                <dt>{t.bitcoin.amount}</dt>
                <dd>
                  <span className="bitcoin__value" translate="no">
                    {checkout.amountBtc} BTC
                  </span>
                  <CopyButton text={checkout.amountBtc} label={t.bitcoin.copyAmount} className="button--small" />
                </dd>
              </div>
              <div>
                <dt>{t.bitcoin.address}</dt>
                <dd>
                  <span className="bitcoin__value bitcoin__address" translate="no">
                    {checkout.address}
                  </span>
                  <CopyButton text={checkout.address} label={t.bitcoin.copyAddress} className="button--small" />
                </dd>
              </div>
              <div>
                <dt>{t.bitcoin.holds}</dt>
                <dd>
                  <time dateTime={checkout.expiresAt} className="bitcoin__countdown">
                    {formatClock(left)}
                  </time>
                </dd>
              </div>
            </dl>
          </div>
          <a className="button button--secondary" href={checkout.uri}>
            {t.bitcoin.openWallet}
          </a>
        </>
      )}
    </section>
  );
}
