/** A supplier company's own admin, on the phone: the account requests for its SIRET, approved
 * or refused (the server shows them no other company's). The link to them is
 * ./supplier-admin-link.tsx. */
import { useState } from "preact/hooks";
import { run, type Registration, type SupplierCompany } from "../app/admin";
import { formatDateTime, t } from "../app/i18n";
import { Page, Problem } from "../app/ui";
import { say, Status, useLoaded } from "./admin";

export function CompanyRequests() {
  const [company, companyProblem] = useLoaded<SupplierCompany>(() => run((a) => a.ownCompany()));
  const [requests, problem, reload, setProblem] = useLoaded<Registration[]>(() => run((a) => a.ownRegistrations()));
  const [status, setStatus] = useState<string | null>(null);
  const decide = async (r: Registration, decision: "approve" | "refuse") => {
    const out = await run((a) => a.decideOwnRegistration(r.id, decision));
    setProblem(say(out.problem));
    if (out.value) {
      setStatus(t(decision === "approve" ? "supplierAdmin.approved" : "supplierAdmin.refused", { name: r.full_name }));
      reload();
    }
  };
  return (
    <Page title={t("supplierAdmin.title")}>
      <p><a href="/invoices">{t("common.back")}</a></p>
      <Problem message={companyProblem ?? problem} />
      {company && <p class="muted">{company.name} · {t("admin.siret")} {company.siret}</p>}
      <Status text={status} />
      {requests === null && !problem && !companyProblem && <p role="status">{t("common.loading")}</p>}
      {requests?.length === 0 && <p class="muted">{t("admin.suppliers.none")}</p>}
      <ul class="plain">
        {requests?.map((r) => (
          <li key={r.id} class="card">
            <h2>{r.full_name}</h2>
            <p class="muted">{r.email}</p>
            <p class="muted"><time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time></p>
            <div class="actions">
              <button type="button" onClick={() => void decide(r, "approve")} aria-label={`${t("admin.suppliers.approve")} — ${r.full_name}`}>{t("admin.suppliers.approve")}</button>
              <button type="button" class="secondary" onClick={() => void decide(r, "refuse")} aria-label={`${t("admin.suppliers.refuse")} — ${r.full_name}`}>{t("admin.suppliers.refuse")}</button>
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}
