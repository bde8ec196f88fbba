/** What an edit sends: only the fields the user changed (pure; tested without a browser). */
import type { JsonObject } from "../data";

const MONEY_GROUP = ["amount_cents", "currency", "vat_rate_bp"];
/** The fields of `next` that differ from the row the user saw; the money group travels whole. */
export function changedFields(seen: JsonObject, next: JsonObject): JsonObject {
  const same = (key: string): boolean => {
    // An absent VAT rate reads as 0 in the editor.
    const blank = key === "vat_rate_bp" ? 0 : null;
    const before = seen[key] ?? blank, after = next[key] ?? blank;
    if (key === "date" && typeof before === "string" && typeof after === "string") return before.slice(0, 10) === after.slice(0, 10);
    return before === after;
  };
  const changes: JsonObject = {};
  for (const key of Object.keys(next)) if (!same(key)) changes[key] = next[key] ?? null;
  if (MONEY_GROUP.some((k) => k in changes)) for (const k of MONEY_GROUP) if (k in next) changes[k] = next[k] ?? null;
  return changes;
}

/** With a receipt photo, the fields the user left at their defaults are the OCR's to fill
 * (source "ocr"); whatever the user typed stays theirs ("user"): the server never lets a
 * reading overwrite it. */
export function ocrFillable(
  line: { merchant: string; amount_cents: number; vat_rate_permille: number; spent_on: string },
  photo: Blob | null,
  today: string = new Date().toISOString().slice(0, 10),
): Record<string, "ocr" | "user"> {
  if (!photo) return {};
  const sources: Record<string, "ocr" | "user"> = {};
  if (!line.merchant.trim()) sources.merchant = "ocr";
  if (!line.amount_cents) sources.amount_cents = "ocr";
  if (!line.vat_rate_permille) sources.vat_rate_bp = "ocr";
  if (!line.spent_on || line.spent_on === today) sources.date = "ocr";
  return sources;
}
