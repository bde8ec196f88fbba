/**
 * Receipt images to show beside an expense line: a thumbnail (longest side 480 px) and the
 * image opened full screen (1600 px), both JPEG renditions made by the server.
 *
 * Where an image comes from, first found wins:
 *   1. the photo still queued on this device (IndexedDB, taken offline, not uploaded yet);
 *   2. the receipt cache (Cache Storage, `RECEIPT_CACHE`): every rendition once shown, so a line
 *      opened offline or while the session is locked still shows its receipt;
 *   3. the server: GET /api/v1/expense-lines/{line}/receipts/{sha256}/{thumbnail|image}, then
 *      kept in the cache (a rendition never changes for a given blob hash).
 * Offline, the full image falls back to the cached thumbnail.
 *
 * The cache is versioned (the service worker deletes other versions on activate) and emptied
 * when the user signs out or another user signs in: its entries are one user's receipts.
 */
import { localBlob } from './blobs';
import { RECEIPT_CACHE } from './cache-names';
import type { Db } from './db';
import { NetworkError } from './errors';

export type ReceiptRendition = 'thumbnail' | 'image';

/** The server path of a rendition of a line's receipt. */
export function receiptImagePath(lineId: string, sha256: string, rendition: ReceiptRendition): string {
  return `/api/v1/expense-lines/${encodeURIComponent(lineId)}/receipts/${encodeURIComponent(sha256)}/${rendition}`;
}

/** What the receipt images need from the rest of the data layer. */
export interface ReceiptSources {
  db: Db;
  /** GETs bytes with the user's token (refreshed once if expired). */
  download(userId: string, path: string): Promise<Blob>;
  /** Cache Storage, or null where there is none (tests, old browsers, insecure origins). */
  caches: CacheStorage | null;
}

async function openCache(caches: CacheStorage | null): Promise<Cache | null> {
  if (caches === null) return null;
  try {
    return await caches.open(RECEIPT_CACHE);
  } catch {
    return null; // storage blocked: the images still show, from the network
  }
}

async function cached(cache: Cache | null, path: string): Promise<Blob | undefined> {
  const hit = await cache?.match(path);
  return hit === undefined ? undefined : hit.blob();
}

/** A rendition of a receipt of a line, for `userId` (see the module comment for the order). */
export async function receiptImage(
  sources: ReceiptSources, userId: string, lineId: string, sha256: string, rendition: ReceiptRendition,
): Promise<Blob> {
  const local = await localBlob(sources.db, userId, sha256);
  if (local !== undefined) return local;
  const cache = await openCache(sources.caches);
  const path = receiptImagePath(lineId, sha256, rendition);
  const hit = await cached(cache, path);
  if (hit !== undefined) return hit;
  let image: Blob;
  try {
    image = await sources.download(userId, path);
  } catch (error) {
    const thumbnail = rendition === 'image' && error instanceof NetworkError
      ? await cached(cache, receiptImagePath(lineId, sha256, 'thumbnail'))
      : undefined;
    if (thumbnail !== undefined) return thumbnail;
    throw error;
  }
  try {
    await cache?.put(path, new Response(image, { headers: { 'Content-Type': image.type || 'image/jpeg' } }));
  } catch {
    // Quota or storage blocked: shown now, downloaded again next time.
  }
  return image;
}

/** Forgets every cached receipt image (sign-out, another user signing in). */
export async function clearReceiptCache(caches: CacheStorage | null): Promise<void> {
  if (caches === null) return;
  try {
    await caches.delete(RECEIPT_CACHE);
  } catch {
    // Nothing cached, or storage blocked.
  }
}
