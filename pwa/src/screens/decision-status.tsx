/** What the manager just decided, in plain words, with Undo while the decision is still held
 * (a few seconds before it is queued). Announced politely to screen readers. */
import { useEffect, useState } from "preact/hooks";
import { heldDecisions, lastDecision, undoDecision } from "../app/data";
import { t } from "../app/i18n";

const SHOWN_AFTER_MS = 10_000;

export function DecisionStatus() {
  const [now, setNow] = useState(Date.now());
  const held = heldDecisions.value;
  const last = lastDecision.value;
  // The words stay a while after the decision is sent, then give the screen back.
  const fresh = last !== null && (held.length > 0 || now - last.at < SHOWN_AFTER_MS);
  useEffect(() => {
    if (!fresh) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [fresh]);
  if (!last || !fresh) return null;
  const seconds = held.length > 0 ? Math.max(1, Math.ceil((Math.max(...held.map((h) => h.until)) - now) / 1000)) : 0;
  return (
    <div class="alert ok" role="status" data-decision-status>
      <p>{t(last.text, { title: last.title, n: last.n ?? 0 })}</p>
      {held.length > 0 && (
        <div class="row">
          <span>{t("decision.sendsIn", { n: seconds })}</span>
          <button type="button" class="secondary" onClick={() => { for (const h of held) undoDecision(h.key); }}>{t("decision.undo")}</button>
        </div>
      )}
    </div>
  );
}
