import type { FastifyInstance } from 'fastify';

/**
 * `count` new orders through the REST API, spread over the customers (each customer's share made one
 * after the other, the customers in parallel): the numbers sold, for the gateway benchmarks to send
 * SMS to. Made outside the time measured.
 */
export async function openOrders(
  app: FastifyInstance,
  customers: Record<string, string>[],
  order: { service: string; country: string },
  count: number,
): Promise<string[]> {
  const phones: string[] = [];
  await Promise.all(
    customers.map(async (headers, c) => {
      for (let i = c; i < count; i += customers.length) {
        const response = await app.inject({ method: 'POST', url: '/api/v1/activations', headers, payload: order });
        if (response.statusCode !== 201) throw new Error(`order failed: ${response.body}`);
        phones.push(response.json().phone as string);
      }
    }),
  );
  return phones;
}
