/** Receipt photos are downscaled on the phone before they are queued: at most 2000 px on the
 * long side, JPEG. Saves the user's data plan and the upload time on a bad network. */

export const MAX_RECEIPT_SIDE = 2000;

/** The size that fits `width × height` within `max` on its longer side, keeping the ratio
 * (never enlarges; each side at least 1 px). */
export function fitWithin(width: number, height: number, max: number = MAX_RECEIPT_SIDE): { width: number; height: number } {
  if (width <= 0 || height <= 0) throw new RangeError("image has no size");
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Decodes the picked file (EXIF orientation applied), redraws it at most 2000 px, JPEG q=0.85. */
export async function downscaleReceipt(file: Blob, quality = 0.85): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const size = fitWithin(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2D canvas");
  context.fillStyle = "#fff"; // transparent PNGs become white, not black
  context.fillRect(0, 0, size.width, size.height);
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  if (!blob) throw new Error("JPEG encoding failed");
  return { blob, ...size };
}
