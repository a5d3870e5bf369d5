import { randomUUID } from 'node:crypto';
import { signAndroidWebhook } from '../../src/gateway-clients/android-sms-gateway/channel.ts';
import type { TestApp } from './app.ts';
import { commandContextOf, runOtpbox } from './cli.ts';
import { baseUrlOf } from './sse.ts';

/** A phone running SMS Gateway for Android, connected as an operator connects one, and its signed deliveries. */
export interface AndroidGateway {
  name: string;
  /** The app's signed `sms:received` webhook for one SIM, signed now by the test's clock; answers the HTTP status. */
  deliver(sms: { device: string; sim: number; text: string; sender?: string; receivedAt?: Date; id?: string }): Promise<number>;
}

/** `otpbox gateways add --kind android-sms-gateway --name NAME`, and deliveries to its webhook over real HTTP. */
export async function addAndroidGateway(t: TestApp, name: string): Promise<AndroidGateway> {
  const added = await runOtpbox(commandContextOf(t), ['gateways', 'add', '--kind', 'android-sms-gateway', '--name', name]);
  const key = /Signing Key: set it to this key[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1];
  if (!key) throw new Error(`gateways add printed no signing key: ${added.stdout}${added.stderr}`);
  const base = await baseUrlOf(t);
  return {
    name,
    async deliver({ device, sim, text, sender = 'Telegram', receivedAt = t.clock.now(), id = randomUUID() }) {
      const body = JSON.stringify({
        deviceId: device,
        event: 'sms:received',
        id,
        webhookId: 'wh-1',
        payload: {
          messageId: id.slice(0, 8),
          message: text,
          sender,
          phoneNumber: sender,
          recipient: null,
          simNumber: sim,
          receivedAt: receivedAt.toISOString(),
        },
      });
      const timestamp = String(Math.floor(t.clock.now().getTime() / 1000));
      const response = await fetch(`${base}/webhooks/gateways/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signAndroidWebhook(key, body, timestamp), 'x-timestamp': timestamp },
        body,
      });
      return response.status;
    },
  };
}
