/** On the supplier's invoice list, the link to their company's account requests: shown to the
 * company's admins only (for other suppliers the server answers SUPPLIER_ADMIN_REQUIRED and
 * nothing is shown). Kept apart from the screens so the invoice list stays small. */
import { useEffect, useState } from "preact/hooks";
import { run, type SupplierCompany } from "../app/admin";
import { t } from "../app/i18n";

/** The link to the company's requests, for its admins (nothing for other suppliers). */
export function CompanyRequestsLink() {
  const [company, setCompany] = useState<SupplierCompany | null>(null);
  useEffect(() => { void run((a) => a.ownCompany()).then((out) => setCompany(out.value)); }, []);
  if (!company) return null;
  return (
    <p class="card"><a class="cardlink" href="/company/requests">{t("supplierAdmin.link", { name: company.name })}</a></p>
  );
}
