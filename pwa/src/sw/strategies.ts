/// <reference lib="webworker" />
/** Caching strategies as small named functions; runtime caches are versioned and the old
 * versions are deleted on activate. */
import { createHandlerBoundToURL } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { RECEIPT_CACHE, RECEIPT_CACHE_PREFIX } from "../data/cache-names";

const RUNTIME_PREFIX = "nomade-runtime-";
export const RUNTIME_CACHE = `${RUNTIME_PREFIX}v1`;
const API_ROOTS = [/^\/api\//, /^\/sync\//, /^\/auth\//, /^\/integration\//];

/** Every client route gets the precached shell, so the app starts offline. */
export function routeNavigations(): void {
  registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: API_ROOTS }));
}

/** Receipt images are content-addressed (their URL names their SHA-256): cache first. */
export async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(RUNTIME_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

export function routeBlobs(): void {
  registerRoute(({ url, request }) => request.method === "GET" && url.pathname.startsWith("/sync/v1/blobs/"), ({ request }) => cacheFirst(request));
}

/** Whether a cache is an earlier version of one of ours: the runtime cache, or the receipt
 * images the data layer keeps (src/data/receipts.ts). */
export function isOutdatedCache(name: string): boolean {
  if (name.startsWith(RUNTIME_PREFIX)) return name !== RUNTIME_CACHE;
  if (name.startsWith(RECEIPT_CACHE_PREFIX)) return name !== RECEIPT_CACHE;
  return false;
}

/** Deletes runtime caches of earlier versions (the precache cleans itself). */
export async function cleanOldRuntimeCaches(): Promise<void> {
  const names = await caches.keys();
  await Promise.all(names.filter(isOutdatedCache).map((n) => caches.delete(n)));
}
