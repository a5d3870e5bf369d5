import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundSms, SmppLinkHandlers, SmppLinkOptions, SmppLinkState } from '../../port.ts';
import { SmppLink, type SmppLinkDeps } from '../link.ts';
import { FakeSmsc, until } from './fake-smsc.ts';

class Recorder extends EventEmitter implements SmppLinkHandlers {
  readonly messages: InboundSms[] = [];
  readonly states: { state: SmppLinkState; detail: string | undefined }[] = [];
  /** Refuse this many messages before taking the next ones. */
  refuseNext = 0;
  onMessage = async (sms: InboundSms): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.refuseNext > 0) {
      this.refuseNext--;
      this.emit('change');
      throw new Error('the database is away');
    }
    this.messages.push(sms);
    this.emit('change');
  };

  onState = (state: SmppLinkState, detail?: string): void => {
    this.states.push({ state, detail });
    this.emit('change');
  };

  count(state: SmppLinkState): number {
    return this.states.filter((entry) => entry.state === state).length;
  }
}

const open: { link: SmppLink; fake: FakeSmsc }[] = [];
afterEach(async () => {
  for (const { link, fake } of open.splice(0)) {
    await link.stop();
    await fake.close();
  }
});

async function linked(options: Partial<SmppLinkOptions> = {}, deps: SmppLinkDeps = {}) {
  const fake = await new FakeSmsc().listen();
  const recorder = new Recorder();
  const link = new SmppLink(
    {
      host: '127.0.0.1',
      port: fake.port,
      systemId: fake.systemId,
      password: fake.password,
      reconnectMinMs: 10,
      reconnectMaxMs: 40,
      ...options,
    },
    recorder,
    deps,
  );
  open.push({ link, fake });
  link.start();
  return { fake, recorder, link };
}

const gsm = (text: string) => Buffer.from(text, 'latin1');
const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const udh8 = (ref: number, total: number, seq: number) => Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);
const addresses = { source_addr: 'Telegram', source_addr_ton: 5, destination_addr: '447700900123', dest_addr_ton: 1, dest_addr_npi: 1 };

describe('SmppLink', () => {
  it('binds as a receiver with SMPP 3.4 and takes a plain GSM message, answering only after onMessage resolved', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    expect(recorder.states.map((entry) => entry.state)).toEqual(['connecting', 'bound']);
    expect(fake.binds).toEqual([{ command: 'bind_receiver', system_id: 'otpbox', password: 'secret1', interface_version: 0x34 }]);

    const text = Buffer.concat([gsm('Telegram code 48213'), Buffer.from([0x1b, 0x65, 0x00])]);
    let takenWhenAnswered = -1;
    const status = await fake.deliver({ ...addresses, data_coding: 0, short_message: text }).then((answer) => {
      takenWhenAnswered = recorder.messages.length; // onMessage takes a turn of the event loop before it resolves
      return answer;
    });
    expect(status).toBe(0);
    expect(takenWhenAnswered).toBe(1);
    expect(recorder.messages).toEqual([
      { receiver: { number: '+447700900123' }, sender: 'Telegram', text: 'Telegram code 48213€@', receivedAt: null },
    ]);
  });

  it('binds as a transceiver when asked', async () => {
    const { fake, recorder, link } = await linked({ bindAs: 'transceiver' });
    await until(() => link.state === 'bound', recorder);
    expect(fake.binds[0]?.command).toBe('bind_transceiver');
  });

  it('reassembles a 3-part UDH UCS-2 message whose emoji is split across parts', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    const text = 'Ваш код 482913 😀 никому его не сообщайте';
    const bytes = ucs2(text);
    const emojiAt = text.indexOf('😀') * 2;
    const cuts = [bytes.subarray(0, emojiAt + 2), bytes.subarray(emojiAt + 2, emojiAt + 20), bytes.subarray(emojiAt + 20)];
    const statuses: number[] = [];
    for (const [i, cut] of cuts.entries()) {
      statuses.push(
        await fake.deliver({ ...addresses, esm_class: 0x40, data_coding: 0x08, short_message: Buffer.concat([udh8(0x9c, 3, i + 1), cut]) }),
      );
    }
    expect(statuses).toEqual([0, 0, 0]);
    expect(recorder.messages.map((sms) => sms.text)).toEqual([text]);
    expect(link.stats.delivered).toBe(1);
  });

  it('reassembles SAR parts sent out of order, and reads data_sm with message_payload', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    const parts = ['Your WhatsApp ', 'code: 551-', '093'];
    for (const seq of [2, 3, 1]) {
      const status = await fake.deliver({
        ...addresses,
        data_coding: 0,
        short_message: gsm(parts[seq - 1] ?? ''),
        sar_msg_ref_num: 0x1234,
        sar_total_segments: 3,
        sar_segment_seqnum: seq,
      });
      expect(status).toBe(0);
    }
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['Your WhatsApp code: 551-093']);

    expect(await fake.deliver({ ...addresses, data_coding: 0x08, message_payload: ucs2('Код 7781') }, 'data_sm')).toBe(0);
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['Your WhatsApp code: 551-093', 'Код 7781']);
  });

  it('answers and drops a delivery receipt without calling onMessage', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    const receipt = gsm('id:1234 sub:001 dlvrd:001 submit date:2612011200 done date:2612011201 stat:DELIVRD err:000 text:code');
    expect(
      await fake.deliver({
        ...addresses,
        esm_class: 0x04,
        data_coding: 0x08,
        short_message: receipt,
        receipted_message_id: '1234',
        message_state: 2,
      }),
    ).toBe(0);
    expect(await fake.deliver({ ...addresses, data_coding: 0, short_message: gsm('after the receipt') })).toBe(0);
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['after the receipt']);
    expect(link.stats.receiptsDropped).toBe(1);
  });

  it('answers ESME_RX_T_APPN (0x64) when onMessage rejects, and takes the redelivery', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    recorder.refuseNext = 1;
    const fields = { ...addresses, data_coding: 0, short_message: gsm('code 1111') };
    expect(await fake.deliver(fields)).toBe(0x64);
    expect(recorder.messages).toEqual([]);
    expect(await fake.deliver(fields)).toBe(0);
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['code 1111']);
  });

  it('keeps the other parts when the whole message is refused, so the redelivered last part completes it', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    const part = (seq: number, text: string) => ({
      ...addresses,
      esm_class: 0x40,
      data_coding: 0,
      short_message: Buffer.concat([udh8(7, 2, seq), gsm(text)]),
    });
    expect(await fake.deliver(part(1, 'code '))).toBe(0);
    recorder.refuseNext = 1;
    expect(await fake.deliver(part(2, '4242'))).toBe(0x64);
    expect(await fake.deliver(part(2, '4242'))).toBe(0);
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['code 4242']);
  });

  it('answers ESME_RX_P_APPN (0x65) to a PDU it cannot read', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    expect(await fake.deliver({ ...addresses, esm_class: 0x40, data_coding: 0, short_message: Buffer.from([0x09, 0x00, 0x03]) })).toBe(
      0x65,
    );
    expect(link.stats.unreadable).toBe(1);
  });

  it('answers the SMSC’s enquire_link, and refuses a command it does not take with generic_nack', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    expect((await fake.request('enquire_link')).command).toBe('enquire_link_resp');
    const nack = await fake.request('query_sm', { message_id: '1' });
    expect(nack.command).toBe('generic_nack');
    expect(nack.command_status).toBe(0x03);
  });

  it('reconnects and binds again when the SMSC drops the connection', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    fake.dropAll();
    await until(() => recorder.count('bound') === 2, recorder);
    expect(recorder.states.map((entry) => entry.state)).toEqual(['connecting', 'bound', 'down', 'connecting', 'bound']);
    expect(recorder.states[2]?.detail).toMatch(/closed the connection; next attempt in \d+ ms/);
    expect(fake.binds).toHaveLength(2);
    await until(() => fake.bound !== null, fake);
    expect(await fake.deliver({ ...addresses, data_coding: 0, short_message: gsm('after reconnect') })).toBe(0);
    expect(recorder.messages.map((sms) => sms.text)).toEqual(['after reconnect']);
  });

  it('reconnects when the SMSC unbinds', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    expect((await fake.request('unbind')).command).toBe('unbind_resp');
    await until(() => recorder.count('bound') === 2, recorder);
    expect(recorder.states.find((entry) => entry.state === 'down')?.detail).toContain('the SMSC unbound');
  });

  it('sends enquire_link, and drops and re-establishes the link when one goes unanswered', async () => {
    const { fake, recorder, link } = await linked({ enquireLinkMs: 100 });
    await until(() => link.state === 'bound', recorder);
    await until(() => fake.enquireLinksAnswered >= 2, fake);
    const downBefore = recorder.count('down');
    fake.answerEnquireLinks = false;
    await until(() => recorder.count('down') > downBefore, recorder);
    expect(recorder.states.filter((entry) => entry.state === 'down').at(-1)?.detail).toContain('enquire_link unanswered for 100 ms');
    const boundBefore = recorder.count('bound');
    fake.answerEnquireLinks = true;
    await until(() => recorder.count('bound') > boundBefore, recorder);
    expect(fake.binds.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a refused password as down with the status, retries at the cap, never logs the password', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const { fake, recorder } = await linked({ password: 'wr0ngpw', reconnectMaxMs: 60_000 }, { logger });
    await until(() => recorder.count('down') === 1, recorder);
    const down = recorder.states.find((entry) => entry.state === 'down');
    expect(down?.detail).toBe('bind refused: ESME_RINVPASWD (0x0000000E); next attempt in 60000 ms');
    expect(fake.binds).toHaveLength(1);
    expect(lines.join('')).toContain('ESME_RINVPASWD');
    expect(lines.join('')).not.toContain('wr0ngpw');
    expect(JSON.stringify(recorder.states)).not.toContain('wr0ngpw');
  });

  it('connects over TLS (ssmpp) and checks the SMSC certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otpbox-smsc-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=fake-smsc',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const key = readFileSync(join(dir, 'key.pem'), 'utf8');
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const fake = await new FakeSmsc({ key, cert }).listen();
      const recorder = new Recorder();
      const options = {
        host: '127.0.0.1',
        port: fake.port,
        systemId: fake.systemId,
        password: fake.password,
        tls: true,
        reconnectMinMs: 10,
        reconnectMaxMs: 40,
      };
      const link = new SmppLink(options, recorder, { tlsOptions: { ca: cert } });
      open.push({ link, fake });
      link.start();
      await until(() => link.state === 'bound', recorder);
      expect(await fake.deliver({ ...addresses, data_coding: 0, short_message: gsm('over tls 9911') })).toBe(0);
      expect(recorder.messages.map((sms) => sms.text)).toEqual(['over tls 9911']);

      // Without the CA the certificate is refused: down, never bound.
      const untrusting = new Recorder();
      const refused = new SmppLink(options, untrusting);
      open.push({ link: refused, fake: await new FakeSmsc().listen() });
      refused.start();
      await until(() => untrusting.count('down') === 1, untrusting);
      expect(untrusting.count('bound')).toBe(0);
      expect(untrusting.states.find((entry) => entry.state === 'down')?.detail).toMatch(/self.signed|certificate/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backs off exponentially with jitter between the bounds, and starts over after a bind', async () => {
    const fake = await new FakeSmsc().listen();
    const port = fake.port;
    await fake.close(); // nothing listens: every attempt fails
    const recorder = new Recorder();
    const link = new SmppLink(
      { host: '127.0.0.1', port, systemId: 'otpbox', password: 'x', reconnectMinMs: 5, reconnectMaxMs: 40 },
      recorder,
      { random: () => 1 },
    );
    open.push({ link, fake: await new FakeSmsc().listen() });
    link.start();
    await until(() => recorder.count('down') === 5, recorder);
    const delays = recorder.states
      .filter((entry) => entry.state === 'down')
      .map((entry) => Number(/in (\d+) ms/.exec(entry.detail ?? '')?.[1]));
    expect(delays).toEqual([5, 10, 20, 40, 40]);
    expect(recorder.states.find((entry) => entry.state === 'down')?.detail).toMatch(/ECONNREFUSED/);
  });

  it('stop() unbinds, closes and does not reconnect', async () => {
    const { fake, recorder, link } = await linked();
    await until(() => link.state === 'bound', recorder);
    await link.stop();
    expect(fake.unbinds).toBe(1);
    expect(link.state).toBe('stopped');
    await until(() => fake.server.sessions.length === 0, fake);
    // Several back-off periods later, still no second bind.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.binds).toHaveLength(1);
    expect(recorder.states.map((entry) => entry.state)).toEqual(['connecting', 'bound', 'stopped']);
  });

  it('stop() while reconnecting ends the retries', async () => {
    const { recorder, link } = await linked({ password: 'wrong', reconnectMaxMs: 60_000 });
    await until(() => recorder.count('down') === 1, recorder);
    await link.stop();
    expect(link.state).toBe('stopped');
  });
});
