import nodemailer from 'nodemailer';
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
  const transporter = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    send: async (message) => {
      await transporter.sendMail({ from, ...message });
    },
    close: () => transporter.close(),
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
