/** Approval notifications that no longer ask anything: their document (named by the tag,
 * `<kind>:<id>`) was decided elsewhere, withdrawn, or certified. No worker types here: the page
 * calls it after each pull with the registration's notifications; the worker may too. */

/** The document an approval notification is about, from its tag (`<kind>:<id>`). */
/** The synced entities an approval notification can be about. */
export type NotifiedEntity = "mission" | "expense_claim" | "purchase_order";

export function documentOfTag(tag: string): { entity: NotifiedEntity; id: string } | null {
  const [kind, id] = [tag.slice(0, tag.indexOf(":")), tag.slice(tag.indexOf(":") + 1)];
  if (!id || tag.indexOf(":") < 0) return null;
  if (kind === "mission") return { entity: "mission", id };
  if (kind === "claim" || kind === "expense_claim") return { entity: "expense_claim", id };
  if (kind === "purchase_order") return { entity: "purchase_order", id };
  return null;
}

/** What the phone last pulled of a document: its state and the hash of its submitted content. */
export interface Seen {
  state: string;
  content_hash?: string;
}

/** Whether the notified request still waits for a decision, from the pulled row (undefined: not
 * pulled yet). A mission or claim counts as moved on only when the row is the very submission
 * that was notified (same content hash): a row pulled before the submission (a draft) says
 * nothing about it. */
export function stillWaiting(entity: string, seen: Seen | undefined, notifiedHash?: string): boolean {
  if (seen === undefined) return true; // not pulled yet: keep the notification
  if (entity === "purchase_order") return seen.state === "open" || seen.state === "partially_received";
  if (seen.state === "submitted") return true;
  return !notifiedHash || seen.content_hash !== notifiedHash;
}

/** Closes the approval notifications whose document was decided elsewhere, withdrawn or is
 * no longer waiting (called after each pull); returns the tags closed. */
export async function closeDecided(registration: { getNotifications(): Promise<readonly { tag: string; data: unknown; close(): void }[]> },
  seenOf: (entity: NotifiedEntity, id: string) => Seen | undefined): Promise<string[]> {
  const closed: string[] = [];
  for (const n of await registration.getNotifications()) {
    const doc = documentOfTag(n.tag);
    const decision = (n.data as { decision?: { content_hash?: unknown } } | undefined)?.decision;
    const approval = Boolean(decision) || doc?.entity === "purchase_order";
    const hash = typeof decision?.content_hash === "string" ? decision.content_hash : undefined;
    if (!doc || !approval || stillWaiting(doc.entity, seenOf(doc.entity, doc.id), hash)) continue;
    n.close();
    closed.push(n.tag);
  }
  return closed;
}
