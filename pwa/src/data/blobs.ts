/**
 * Receipt photos: stored in IndexedDB at once (the attach intent is queued immediately), then
 * uploaded in resumable chunks, tus-style: the server says how many bytes it holds (`offset`),
 * each chunk carries its offset and SHA-256, and an interrupted upload resumes from the server's
 * offset rather than from zero. Blobs are content-addressed by the SHA-256 of the whole file, so
 * a duplicate costs no upload (the server answers complete at once).
 *
 * Wire (docs/sync-protocol.md §6):
 *   POST  /sync/v1/blobs {sha256, size, content_type, organisation_id?}
 *         → {upload_id | null, sha256, size, offset, complete}  (same upload_id when resumed)
 *   PATCH /sync/v1/blobs/uploads/{upload_id}  body = chunk; headers Upload-Offset,
 *         Upload-Chunk-SHA256 → status; 409 BLOB_OFFSET_MISMATCH {offset}, 400
 *         BLOB_CHUNK_CHECKSUM (resend), 400 BLOB_CHECKSUM_MISMATCH (upload reset to 0)
 */
import type { Auth } from './auth';
import { guarded, type Db, type StoredBlob } from './db';
import { ApiError } from './errors';

export const DEFAULT_CHUNK_SIZE = 256 * 1024;
const MAX_CHUNK_RETRIES = 3;

interface BlobStatus {
  upload_id?: string | null;
  offset: number;
  complete: boolean;
}

/** Lower-case hex SHA-256 of bytes (crypto.subtle). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Saves a photo for upload by `userId`; returns its record (existing one when already saved). */
export async function storeBlob(db: Db, userId: string, file: Blob, now: number, organisationId?: string): Promise<StoredBlob> {
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  return guarded(async () => {
    const tx = db.transaction('blobs', 'readwrite');
    const existing = await tx.store.get([userId, sha256]);
    const record: StoredBlob = existing ?? {
      user_id: userId,
      sha256,
      size: bytes.byteLength,
      content_type: file.type || 'application/octet-stream',
      bytes,
      offset: 0,
      status: 'pending',
      created_at: now,
      ...(organisationId !== undefined ? { organisation_id: organisationId } : {}),
    };
    if (existing === undefined) await tx.store.put(record);
    await tx.done;
    return record;
  });
}

/** Blobs of a user still to upload. */
export async function pendingBlobs(db: Db, userId: string): Promise<StoredBlob[]> {
  const all = await db.getAllFromIndex('blobs', 'by-user', userId);
  return all.filter((blob) => blob.status === 'pending');
}

/** A stored photo as a Blob (for a preview while its upload waits). */
export async function localBlob(db: Db, userId: string, sha256: string): Promise<Blob | undefined> {
  const record = await db.get('blobs', [userId, sha256]);
  return record === undefined ? undefined : new Blob([record.bytes], { type: record.content_type });
}

export class BlobUploader {
  constructor(
    private readonly db: Db,
    private readonly auth: Auth,
    private readonly chunkSize: number = DEFAULT_CHUNK_SIZE,
    /** Called with an uploaded blob just before the device's copy is deleted (best effort). */
    private readonly onUploaded: (blob: StoredBlob) => Promise<void> = async () => undefined,
  ) {}

  /** Uploads every pending blob of `userId`; throws on the first transport failure. */
  async uploadAll(userId: string): Promise<void> {
    for (const blob of await pendingBlobs(this.db, userId)) {
      await this.upload(userId, blob);
    }
  }

  /** Uploads one blob from the server's offset to the end. */
  async upload(userId: string, blob: StoredBlob): Promise<void> {
    const created = await this.auth.authed<BlobStatus>(userId, {
      method: 'POST',
      path: '/sync/v1/blobs',
      json: {
        sha256: blob.sha256, size: blob.size, content_type: blob.content_type,
        ...(blob.organisation_id !== undefined ? { organisation_id: blob.organisation_id } : {}),
      },
    });
    let status = created.body;
    const uploadId = status.upload_id;
    let retries = 0;
    let restarts = 0;
    while (!status.complete) {
      if (!uploadId) throw new ApiError(500, { code: 'BLOB_NO_UPLOAD', message: { fr: 'Envoi impossible.', en: 'Upload impossible.' } });
      const offset = status.offset;
      await this.saveOffset(blob, offset);
      const chunk = new Uint8Array(blob.bytes, offset, Math.min(this.chunkSize, blob.size - offset));
      try {
        status = (
          await this.auth.authed<BlobStatus>(userId, {
            method: 'PATCH',
            path: `/sync/v1/blobs/uploads/${encodeURIComponent(uploadId)}`,
            body: chunk.slice(),
            headers: {
              'Content-Type': 'application/offset+octet-stream',
              'Upload-Offset': String(offset),
              'Upload-Chunk-SHA256': await sha256Hex(chunk),
            },
          })
        ).body;
        retries = 0;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const serverOffset = error.details['offset'];
        if (error.code === 'BLOB_OFFSET_MISMATCH' && typeof serverOffset === 'number') {
          status = { offset: serverOffset, complete: false };
        } else if (error.code === 'BLOB_CHUNK_CHECKSUM' && retries < MAX_CHUNK_RETRIES) {
          retries += 1;
        } else if (error.code === 'BLOB_CHECKSUM_MISMATCH' && restarts < 1) {
          restarts += 1;
          status = { offset: 0, complete: false };
        } else {
          throw error;
        }
      }
    }
    await this.markUploaded(blob);
  }

  private async saveOffset(blob: StoredBlob, offset: number): Promise<void> {
    if (blob.offset === offset) return;
    blob.offset = offset;
    await guarded(async () => {
      const tx = this.db.transaction('blobs', 'readwrite');
      const current = await tx.store.get([blob.user_id, blob.sha256]);
      if (current !== undefined) await tx.store.put({ ...current, offset });
      await tx.done;
    });
  }

  /** Uploaded: the bytes are on the server, free the device's space. */
  private async markUploaded(blob: StoredBlob): Promise<void> {
    await this.onUploaded(blob).catch(() => undefined);
    await this.db.delete('blobs', [blob.user_id, blob.sha256]);
  }
}
