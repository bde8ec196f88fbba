/** The agent's actions on missions, claims and lines that go beyond data.ts: a mission with
 * its times, country and bookings (created or changed), an approved mission amended, a claim
 * withdrawn, a line deleted, a receipt captured straight into a new line. Offline too: each is a
 * queued intent. */
import * as data from "../data";
import { ocrFillable } from "./edits";
import { downscaleReceipt } from "./image";
import { missionFields, type MissionDraft } from "./missions";

function write(action: () => Promise<unknown>): void {
  void action().catch((error: unknown) => console.warn("nomade: write failed", error));
}
const rowData = (entity: data.EntityName, id: string): data.JsonObject => data.row(entity, id).peek()?.data ?? {};

/** Creates the mission, or sends what the agent changed on an existing one; returns its id. */
export function saveMission(draft: MissionDraft, existingId?: string): string {
  const fields = missionFields(draft);
  if (!existingId) {
    const id = data.newId();
    write(() => data.commands.missions.create({ id, ...fields }));
    return id;
  }
  const seen = rowData("mission", existingId);
  // Only what the agent changed (an untouched field must not overwrite another device's edit).
  const changes: Partial<typeof fields> = Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => JSON.stringify(seen[key] ?? null) !== JSON.stringify(value)));
  if (Object.keys(changes).length > 0) write(() => data.commands.missions.edit(existingId, changes));
  return existingId;
}

/** An approved mission back to draft, to change it and send it again for approval. */
export const amendMission = (id: string): void => write(() => data.commands.missions.amend(id));
/** A submitted claim back to draft before the manager decides. */
export const withdrawClaim = (id: string): void => write(() => data.commands.claims.withdraw(id));
/** Deletes a line of a draft or returned claim. */
export const deleteLine = (id: string): void => write(() => data.commands.expenseLines.delete(id));

/** A photo taken from the claim: downscaled, a new line whose fields the reading fills, the
 * photo attached (both queued before it returns the new line's id, so the line opens at once). */
export async function captureReceipt(claimId: string, file: Blob): Promise<string> {
  const small = await downscaleReceipt(file);
  const line = { merchant: "", amount_cents: 0, vat_rate_permille: 0, spent_on: new Date().toISOString().slice(0, 10) };
  const id = await data.commands.expenseLines.create({
    id: data.newId(), claim_id: claimId, date: line.spent_on, category: "other", merchant: "", amount_cents: 0, currency: "EUR",
    vat_rate_bp: 0, field_sources: ocrFillable(line, small.blob),
  });
  await data.commands.expenseLines.attachReceipt(id, small.blob);
  return id;
}

export const codeText = (code: string): { fr: string; en: string } => data.describeCode(code);
