/** Names of the Cache Storage caches the data layer writes, shared with the service worker
 * (which deletes the other versions on activate). No imports: the worker bundle stays small. */

export const RECEIPT_CACHE_PREFIX = 'nomade-receipts-';
/** Receipt images shown beside expense lines (bump the version when their URLs change). */
export const RECEIPT_CACHE = `${RECEIPT_CACHE_PREFIX}v1`;
