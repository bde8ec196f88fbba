/** Approval notifications that no longer ask anything: their document (named by the tag,
 * `<kind>:<id>`) was decided elsewhere, withdrawn, or certified. No worker types here: the page
 * calls it after each pull with the registration's notifications; the worker may too. */

/** The document an approval notification is about, from its tag (`<kind>:<id>`). */
export function documentOfTag(tag: string): { entity: "mission" | "expense_claim" | "purchase_order"; id: string } | null {
  const [kind, id] = [tag.slice(0, tag.indexOf(":")), tag.slice(tag.indexOf(":") + 1)];
  if (!id || tag.indexOf(":") < 0) return null;
  if (kind === "mission") return { entity: "mission", id };
  if (kind === "claim" || kind === "expense_claim") return { entity: "expense_claim", id };
  if (kind === "purchase_order") return { entity: "purchase_order", id };
  return null;
}

/** Whether a document still waits for a decision, from its synced state (undefined: unknown). */
export function stillWaiting(entity: string, state: string | undefined): boolean {
  if (state === undefined) return true; // not pulled yet: keep the notification
  if (entity === "purchase_order") return state === "open" || state === "partially_received";
  return state === "submitted";
}

/** Closes the approval notifications whose document was decided elsewhere, withdrawn or is
 * no longer waiting (called after each pull); returns the tags closed. */
export async function closeDecided(registration: { getNotifications(): Promise<readonly { tag: string; data: unknown; close(): void }[]> },
  stateOf: (entity: string, id: string) => string | undefined): Promise<string[]> {
  const closed: string[] = [];
  for (const n of await registration.getNotifications()) {
    const doc = documentOfTag(n.tag);
    const data = n.data as { decision?: unknown } | undefined;
    const approval = Boolean(data?.decision) || doc?.entity === "purchase_order";
    if (!doc || !approval || stillWaiting(doc.entity, stateOf(doc.entity, doc.id))) continue;
    n.close();
    closed.push(n.tag);
  }
  return closed;
}
