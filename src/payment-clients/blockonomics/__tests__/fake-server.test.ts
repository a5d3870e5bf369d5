import { describe, expect, it } from 'vitest';
import { segwitV0Address, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { isBitcoinAddress } from '../bip21.ts';

describe('the fake Blockonomics server', () => {
  it('makes real Bech32 addresses (BIP 173 test vector)', () => {
    expect(segwitV0Address(Buffer.from('751e76e8199196d454941c45d1b3a323f1433bd6', 'hex'))).toBe(
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    );
  });

  it('hands out distinct addresses, counts calls, and answers like Blockonomics to the wrong method or path', async () => {
    const fake = await startFakeBlockonomics();
    try {
      const post = () => fetch(`${fake.baseUrl}/api/new_address`, { method: 'POST', headers: { authorization: `Bearer ${fake.apiKey}` } });
      const addresses = new Set<string>();
      for (let i = 0; i < 25; i++) addresses.add(((await (await post()).json()) as { address: string }).address);
      expect(addresses.size).toBe(25);
      expect([...addresses].every(isBitcoinAddress)).toBe(true);
      expect(fake.issued).toEqual([...addresses]);
      expect((await fetch(`${fake.baseUrl}/api/new_address`)).status).toBe(405);
      expect((await fetch(`${fake.baseUrl}/api/other`)).status).toBe(404);
      expect(fake.calls).toEqual({ new_address: 26, price: 0 });
    } finally {
      await fake.close();
    }
  });
});
