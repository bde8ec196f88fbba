/** Organisations beyond the first: the platform organisation's admins list them and create
 * another with its first admin (kind: State, local authority, hospital, public company, which
 * sets the legal payment deadline). The answer carries the new admin's invitation link. Other
 * admins are told, in words, that this is not theirs to do (PLATFORM_ADMIN_REQUIRED). */
import { useState } from "preact/hooks";
import { run, type AdminOrganisation, type NewOrganisation, type NewOrganisationMade, type OrganisationKind } from "../app/admin";
import { t, type MessageKey } from "../app/i18n";
import { Page, Problem } from "../app/ui";
import { say, useLoaded } from "./admin";

const KINDS: OrganisationKind[] = ["state", "local", "hospital", "public_company"];
const kindLabel = (kind: string): string => t(`admin.kind.${kind}` as MessageKey);

export function AdminOrganisations() {
  const [organisations, problem, reload] = useLoaded<AdminOrganisation[]>(() => run((a) => a.organisations()));
  const empty: NewOrganisation = { name: "", siret: "", kind: "state", code_service: "", admin_email: "", admin_full_name: "", admin_language: "fr" };
  const [draft, setDraft] = useState<NewOrganisation>(empty);
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [made, setMade] = useState<NewOrganisationMade | null>(null);
  const field = (key: keyof NewOrganisation) => (e: Event) =>
    setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  return (
    <Page title={t("admin.organisations")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      {organisations === null && !problem && <p role="status">{t("common.loading")}</p>}
      {made && (
        <div class="alert ok" role="status">
          <p style="margin-top:0">{t("admin.organisations.created", { name: made.organisation.name, n: made.organisation.payment_days })}</p>
          <p>{t("admin.people.inviteFor", { name: made.admin.full_name })}{" "}
            <code style="word-break:break-all">{`${location.origin}${made.invitation.link}`}</code></p>
        </div>
      )}
      {organisations && (
        <>
          <form class="card" aria-labelledby="org-add" onSubmit={async (e) => {
            e.preventDefault();
            setMade(null);
            const out = await run((a) => a.createOrganisation(draft));
            setFormProblem(say(out.problem));
            if (out.value) { setMade(out.value); setDraft(empty); reload(); }
          }}>
            <h2 id="org-add">{t("admin.organisations.add")}</h2>
            <label for="neworg-name">{t("admin.organisations.name")}</label>
            <input id="neworg-name" required maxLength={200} value={draft.name} onInput={field("name")} />
            <label for="neworg-siret">{t("admin.companies.siret")}</label>
            <input id="neworg-siret" required inputMode="numeric" autocomplete="off" maxLength={40} value={draft.siret} onInput={field("siret")} />
            <div class="grid2">
              <div>
                <label for="neworg-kind">{t("admin.kind")}</label>
                <select id="neworg-kind" value={draft.kind} aria-describedby="neworg-kind-help" onChange={field("kind")}>
                  {KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
                </select>
              </div>
              <div>
                <label for="neworg-code">{t("admin.units.code")}</label>
                <input id="neworg-code" maxLength={32} value={draft.code_service} onInput={field("code_service")} />
              </div>
            </div>
            <p id="neworg-kind-help" class="muted">{t("admin.organisations.kindHelp")}</p>
            <fieldset>
              <legend>{t("admin.organisations.firstAdmin")}</legend>
              <label for="neworg-admin-email">{t("admin.people.email")}</label>
              <input id="neworg-admin-email" type="email" required autocomplete="off" value={draft.admin_email} onInput={field("admin_email")} />
              <label for="neworg-admin-name">{t("admin.people.name")}</label>
              <input id="neworg-admin-name" required maxLength={200} value={draft.admin_full_name} onInput={field("admin_full_name")} />
              <label for="neworg-admin-language">{t("admin.people.language")}</label>
              <select id="neworg-admin-language" value={draft.admin_language} onChange={field("admin_language")}>
                <option value="fr" lang="fr">Français</option>
                <option value="en" lang="en">English</option>
              </select>
            </fieldset>
            <Problem message={formProblem} />
            <div class="actions"><button type="submit">{t("admin.organisations.add")}</button></div>
          </form>
          <ul class="plain" aria-label={t("admin.organisations")}>
            {organisations.map((o) => (
              <li key={o.id} class="card">
                <h2>{o.name}</h2>
                <p class="muted">{t("admin.siret")} {o.siret} · {kindLabel(o.kind)}</p>
                <p class="muted">{t("admin.paymentDays", { n: o.payment_days })}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
