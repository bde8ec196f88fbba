import { describe, expect, it } from 'vitest';

import { deployedScripts, moduleScripts } from '../../src/data/deployment';

const shell = (entry: string): string => `<!doctype html><html lang="fr"><head>
    <title>Nomade</title>
    <script type="module" crossorigin src="/assets/${entry}.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index-CYu-bffh.css">
  </head><body><div id="app"></div><script>/* inline */</script></body></html>`;

/** A server that answers every request with `body`, remembering how it was asked. */
function answering(body: string, init: ResponseInit = {}): { fetch: typeof fetch; asked: RequestInit[] } {
  const asked: RequestInit[] = [];
  const fetcher = async (_url: RequestInfo | URL, options?: RequestInit): Promise<Response> => {
    asked.push(options ?? {});
    return new Response(body, { headers: { 'Content-Type': 'text/html; charset=utf-8' }, ...init });
  };
  return { fetch: fetcher as typeof fetch, asked };
}

describe('which build a shell starts', () => {
  it('is the module scripts it loads, as written', () => {
    expect(moduleScripts(shell('index-Cv3NMsFx'))).toEqual(['/assets/index-Cv3NMsFx.js']);
    expect(moduleScripts(`<script src='/a.js' type='module'></script><script src="/classic.js"></script><script type=module src=/b.js></script>`))
      .toEqual(['/a.js', '/b.js']);
    expect(moduleScripts('<p>Portail Wi-Fi : acceptez les conditions</p>')).toEqual([]);
  });

  it('is read from the shell past the HTTP cache', async () => {
    const server = answering(shell('index-D9new000'));
    expect(await deployedScripts(server.fetch)).toEqual(['/assets/index-D9new000.js']);
    expect(server.asked[0]?.cache).toBe('no-store');
  });

  it('is unknown offline, on an error, or when the answer is not the app (a captive portal)', async () => {
    expect(await deployedScripts(answering('Not found', { status: 404 }).fetch)).toBeNull();
    expect(await deployedScripts(answering('<p>Portail Wi-Fi</p>').fetch)).toBeNull();
    expect(await deployedScripts(answering('{"code": "NOT_FOUND"}', { headers: { 'Content-Type': 'application/json' } }).fetch)).toBeNull();
    expect(await deployedScripts((async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch)).toBeNull();
  });
});
