import type { Logger } from 'pino';
import type { Config } from '../../config.ts';

/** How e-mail leaves: SMTP when SMTP_URL is set, otherwise the log (so the embedded default works offline). */
export interface MailTransport {
  readonly kind: 'smtp' | 'log';
  send(message: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** The sender address: MAIL_FROM, or no-reply@ the public host. */
export function mailFrom(config: Config): string {
  return config.mailFrom ?? `${config.operatorName} <no-reply@${new URL(config.publicUrl).hostname}>`;
}

export function smtpTransport(url: string, from: string): MailTransport {
  // nodemailer loads with the first message: most starts send none (start-up time, ADR 21).
  let transporter: Promise<import('nodemailer').Transporter> | undefined;
  const connect = () => {
    transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(url));
    return transporter;
  };
  return {
    kind: 'smtp',
    send: async (message) => {
      await (await connect()).sendMail({ from, ...message });
    },
    close: () => void transporter?.then((opened) => opened.close()),
  };
}

export function logTransport(log: Logger): MailTransport {
  return {
    kind: 'log',
    send: async (message) => {
      // No SMTP configured: the operator reads account e-mail (with its links) from the log.
      // A warning, not info: the message did not leave, and the operator must see it at any log level.
      log.warn(
        { mailTo: message.to, mailSubject: message.subject, mailBody: message.text },
        'e-mail not sent (no SMTP_URL): written to the log',
      );
    },
    close: () => {},
  };
}

export const NO_SMTP_WARNING =
  'SMTP_URL is not set: account e-mail (sign-up verification and password reset links) is written to this log ' +
  'instead of being sent, and nobody receives it. Set SMTP_URL=smtp://user:password@host:587 (and MAIL_FROM) to send it.';

/**
 * SMTP when SMTP_URL is set. Otherwise the log, said once and loudly at start: without it an operator
 * learns only from a customer that reset links never arrive.
 */
export function mailTransport(config: Config, log: Logger): MailTransport {
  if (config.smtpUrl) return smtpTransport(config.smtpUrl, mailFrom(config));
  log.warn({ variable: 'SMTP_URL' }, NO_SMTP_WARNING);
  return logTransport(log.child({ component: 'mail' }));
}
