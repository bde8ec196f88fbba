/** Which documents a refused change is about, so the refusal shows where the agent acts (the
 * mission, the claim, the line) with a way to fix it (pure: tested without a browser). */
import type { Json, JsonObject } from "../data";

const ids = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);
const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** The ids a refusal names: the intent's document (`id`), the claim a line was for, and the
 * lines the server named in its details (RECEIPT_MISSING and FX_RATE_MISSING `line_ids`,
 * POLICY_BLOCKING `findings[].line_id`, BLOB_PENDING `line_id`). */
export function targetsOf(intent: { name: string; args: JsonObject }, details: JsonObject): string[] {
  const out = [...ids(intent.args["id"]), ...ids(intent.args["claim_id"]), ...ids(details["line_ids"]), ...ids(details["line_id"])];
  const findings = details["findings"];
  if (Array.isArray(findings)) for (const f of findings) if (isObject(f)) out.push(...ids(f["line_id"]));
  return [...new Set(out)];
}

/** Where to fix a refusal: the first line it names (its editor), else the document itself. */
export function fixPath(
  refusal: { name: string; targets: readonly string[] },
  lineClaim: (lineId: string) => string | undefined,
): string | null {
  const entity = refusal.name.split(".")[0];
  const docId = refusal.targets[0];
  for (const target of entity === "expense_line" ? refusal.targets : refusal.targets.slice(1)) {
    const claim = lineClaim(target);
    if (claim) return `/claims/${claim}/lines/${target}`;
  }
  if (!docId) return null;
  if (entity === "mission") return `/missions/${docId}`;
  if (entity === "expense_claim") return `/claims/${docId}`;
  return null;
}
