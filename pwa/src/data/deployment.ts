/**
 * Which build of the app a reload would start: the module scripts of the app shell
 * (index.html), whose file names carry content hashes, so that another build names other files.
 * Asked when a screen's code failed to load while online (src/app/screen-code.ts): an app left
 * open across a deployment asks for code files that the new build no longer has.
 */

/** The shell a reload starts: the service worker's copy when one controls the page (the copy of
 * the version it serves), else the server's. */
export const SHELL_PATH = '/index.html';

/** The `src` of each module script of an HTML page, as written, in the page's order. */
export function moduleScripts(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    if (!/\stype\s*=\s*["']?module["'\s>]/i.test(tag)) continue;
    const src = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(tag);
    const value = src?.[1] ?? src?.[2] ?? src?.[3];
    if (value) found.push(value);
  }
  return found;
}

/**
 * The module scripts of the shell a reload would start now (never the HTTP cache's copy), or
 * null when nobody answered with the app's shell (offline, the server down, a captive portal's
 * page). Never throws.
 */
export async function deployedScripts(fetcher: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<string[] | null> {
  try {
    const response = await fetcher(SHELL_PATH, { cache: 'no-store', redirect: 'error' });
    if (!response.ok || !(response.headers.get('Content-Type') ?? '').includes('text/html')) return null;
    const scripts = moduleScripts(await response.text());
    return scripts.length > 0 ? scripts : null;
  } catch {
    return null;
  }
}
