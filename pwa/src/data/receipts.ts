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
 * Offline, the full image falls back to the cached thumbnail, and either falls back to the
 * photo as it was uploaded from this device: kept in the cache when its upload finished (the
 * IndexedDB copy is then deleted), dropped once the server's thumbnail is cached.
 *
 * The cache is versioned (the service worker deletes other versions on activate) and emptied
 * when the user signs out or another user signs in: its entries are one user's receipts.
 */
import { localBlob } from './blobs';
import { RECEIPT_CACHE } from './cache-names';
import type { Db, StoredBlob } from './db';
import { NetworkError } from './errors';

export type ReceiptRendition = 'thumbnail' | 'image';

/** The server path of a rendition of a line's receipt. */
export function receiptImagePath(lineId: string, sha256: string, rendition: ReceiptRendition): string {
  return `/api/v1/expense-lines/${encodeURIComponent(lineId)}/receipts/${encodeURIComponent(sha256)}/${rendition}`;
}

/** The cache key of a photo uploaded from this device (not a server route). */
export function uploadedPhotoKey(sha256: string): string {
  return `/__nomade__/uploaded-receipts/${encodeURIComponent(sha256)}`;
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
    if (!(error instanceof NetworkError)) throw error;
    const fallback = (rendition === 'image' ? await cached(cache, receiptImagePath(lineId, sha256, 'thumbnail')) : undefined)
      ?? await cached(cache, uploadedPhotoKey(sha256));
    if (fallback !== undefined) return fallback;
    throw error;
  }
  try {
    await cache?.put(path, new Response(image, { headers: { 'Content-Type': image.type || 'image/jpeg' } }));
    if (rendition === 'thumbnail') await cache?.delete(uploadedPhotoKey(sha256));
  } catch {
    // Quota or storage blocked: shown now, downloaded again next time.
  }
  return image;
}

/** Keeps a photo whose upload just finished viewable offline (its IndexedDB copy goes). */
export async function keepUploadedPhoto(caches: CacheStorage | null, blob: StoredBlob): Promise<void> {
  const cache = await openCache(caches);
  try {
    await cache?.put(uploadedPhotoKey(blob.sha256), new Response(blob.bytes, { headers: { 'Content-Type': blob.content_type } }));
  } catch {
    // Quota: the server's thumbnail shows once online.
  }
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
