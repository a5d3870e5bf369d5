import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { parseCookie } from 'cookie';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/spawn.ts';

/**
 * package.json `overrides` give two dependants the Node 20 releases of what they use (the newer ones
 * require Node 22, and npm warned at every install): light-my-request (Fastify's inject) gets cookie@1
 * instead of cookie@2, @fastify/static gets content-disposition@2 instead of @3. The functions they
 * call are the same in both; these checks fail if that stops being true.
 */
const folders: { remove(): Promise<void> }[] = [];
afterAll(async () => {
  for (const folder of folders) await folder.remove();
});

describe('dependency overrides for Node 20', () => {
  it("inject's cookies (light-my-request with cookie@1) reach the server as sent", async () => {
    const app = Fastify();
    app.get('/', async (request) => parseCookie(request.headers.cookie ?? ''));
    const response = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b;c=d%', plain: 'v1' } });
    expect(response.json()).toEqual({ session: 'a b;c=d%', plain: 'v1' });
    await app.close();
  });

  it('a download (@fastify/static with content-disposition@2) names the file, non-ASCII included', async () => {
    const folder = await tempDir();
    folders.push(folder);
    await writeFile(path.join(folder.path, 'résumé.txt'), 'hello');
    const app = Fastify();
    await app.register(fastifyStatic, { root: folder.path, serve: false });
    app.get('/', async (_request, reply) => reply.download('résumé.txt'));
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.headers['content-disposition']).toBe(`attachment; filename="r?sum?.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`);
    expect(response.body).toBe('hello');
    await app.close();
  });
});
