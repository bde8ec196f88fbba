/** What the manager just decided, in plain words, with Undo while the decision is still held
 * (a few seconds before it is queued). Announced politely to screen readers. */
import { useEffect, useState } from "preact/hooks";
import { heldDecisions, lastDecision, undoDecision } from "../app/data";
import { t } from "../app/i18n";

export function DecisionStatus() {
  const [now, setNow] = useState(Date.now());
  const held = heldDecisions.value;
  useEffect(() => {
    if (held.length === 0) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [held.length]);
  const last = lastDecision.value;
  if (!last) return null;
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
