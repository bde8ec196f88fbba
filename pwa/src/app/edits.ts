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

