/** What an expense claim comes to: on a draft, the receipts entered so far (allowances and the
 * advance are the server's to count, at submission); once sent, the server's own figures —
 * receipts kept, allowances computed from the mission's times, the advance already paid, and
 * what remains to be paid. Never a total the phone recomputed. */
import { formatMoney, t } from "../app/i18n";
import type { ExpenseClaim } from "../app/model";

export function ClaimTotals({ claim, receipts, foreign = false }: { claim: ExpenseClaim; receipts: number; foreign?: boolean }) {
  const totals = claim.totals;
  if (!totals) {
    return (
      <div aria-labelledby={`totals-${claim.id}`}>
        <p class="row"><strong id={`totals-${claim.id}`}>{t("claims.receiptsEntered")}</strong><strong>{formatMoney(receipts)}</strong></p>
        <p class="muted">{t("claims.countedAtSubmission")}</p>
        {foreign && <p class="muted">{t("claims.foreignAtSubmission")}</p>}
      </div>
    );
  }
  const due = totals.total_cents - totals.advance_cents;
  return (
    <section class="card" aria-labelledby={`totals-${claim.id}`} data-claim-totals>
      <h2 id={`totals-${claim.id}`}>{t("claims.totalsTitle")}</h2>
      <dl>
        <dt class="muted">{t("claims.receiptsKept")}</dt><dd>{formatMoney(totals.total_cents - totals.allowance_cents)}</dd>
        <dt class="muted">{t("claims.allowances")}</dt><dd>{formatMoney(totals.allowance_cents)}</dd>
        <dt>{t("common.total")}</dt><dd><strong>{formatMoney(totals.total_cents)}</strong></dd>
        {totals.advance_cents > 0 && (<><dt class="muted">{t("claims.advancePaid")}</dt><dd>− {formatMoney(totals.advance_cents)}</dd></>)}
        <dt>{t(due < 0 ? "claims.toRepay" : "claims.toBePaid")}</dt><dd><strong>{formatMoney(Math.abs(due))}</strong></dd>
      </dl>
    </section>
  );
}
