/** Supplier companies and their users, from the admin's side: add a company by its SIRET (the
 * server checks it: Luhn, La Poste's exception; a refusal shows its coded message on the form),
 * add users (optionally the company's own admin, who then decides its later registrations),
 * give an invitation link, grant or withdraw the supplier-admin flag. */
import { useState } from "preact/hooks";
import { run, type Invitation, type SupplierCompany, type SupplierUser } from "../app/admin";
import { t } from "../app/i18n";
import { Page, Problem } from "../app/ui";
import { say, Status, useLoaded } from "./admin";

function UserRow({ user, onChanged, onProblem }: {
  user: SupplierUser; onChanged: (text: string) => void; onProblem: (p: string | null) => void;
}) {
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  return (
    <li>
      <p style="margin-bottom:0.25rem"><strong>{user.full_name}</strong> <span class="muted">{user.email}</span></p>
      {(user.supplier_admin || !user.has_password || !user.is_active) && (
        <p class="row" style="justify-content:flex-start">
          {user.supplier_admin && <span class="badge ok">{t("admin.companies.admin")}</span>}
          {!user.has_password && <span class="badge warn">{t("admin.companies.noPassword")}</span>}
          {!user.is_active && <span class="badge bad">{t("admin.people.inactive")}</span>}
        </p>
      )}
      {user.is_active && (
        <div class="actions">
          <button type="button" class="secondary" aria-label={`${t("admin.people.invite")} — ${user.full_name}`} onClick={async () => {
            const out = await run((a) => a.inviteSupplierUser(user.id));
            onProblem(say(out.problem));
            setInvitation(out.value);
          }}>{t("admin.people.invite")}</button>
          <button type="button" class="secondary"
            aria-label={`${t(user.supplier_admin ? "admin.companies.revokeAdmin" : "admin.companies.makeAdmin")} — ${user.full_name}`}
            onClick={async () => {
              const out = await run((a) => a.setSupplierAdmin(user.id, !user.supplier_admin));
              onProblem(say(out.problem));
              if (!out.problem) onChanged(`${user.full_name} ✓`);
            }}>{t(user.supplier_admin ? "admin.companies.revokeAdmin" : "admin.companies.makeAdmin")}</button>
        </div>
      )}
      {invitation && (
        <p role="status">{t("admin.people.inviteFor", { name: user.full_name })}{" "}
          <code style="word-break:break-all">{`${location.origin}${invitation.link}`}</code></p>
      )}
    </li>
  );
}

function CompanyCard({ company, onChanged }: { company: SupplierCompany; onChanged: () => void }) {
  const empty = { email: "", full_name: "", language: "fr" as "fr" | "en", supplier_admin: false };
  const [draft, setDraft] = useState(empty);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const id = company.id.slice(0, 8);
  const changed = (text: string) => { setStatus(text); onChanged(); };
  return (
    <li class="card">
      <h2>{company.name}</h2>
      <p class="muted">{t("admin.siret")} {company.siret}</p>
      {company.users.length === 0
        ? <p class="muted">{t("admin.companies.noUser")}</p>
        : <ul class="plain" aria-label={t("admin.companies.usersOf", { name: company.name })}>
            {company.users.map((u) => <UserRow key={`${u.id}-${u.supplier_admin}`} user={u} onChanged={changed} onProblem={setProblem} />)}
          </ul>}
      <Problem message={problem} />
      <Status text={status} />
      <details class="manage">
        <summary>{t("admin.companies.addUserTo", { name: company.name })}</summary>
        <form onSubmit={async (e) => {
          e.preventDefault();
          const out = await run((a) => a.createSupplierUser(company.id, draft));
          setProblem(say(out.problem));
          if (out.value) { changed(t("admin.people.created", { name: out.value.full_name })); setDraft(empty); }
        }}>
          <label for={`su-email-${id}`}>{t("admin.people.email")}</label>
          <input id={`su-email-${id}`} type="email" required autocomplete="off" value={draft.email}
            onInput={(e) => setDraft({ ...draft, email: (e.currentTarget as HTMLInputElement).value })} />
          <label for={`su-name-${id}`}>{t("admin.people.name")}</label>
          <input id={`su-name-${id}`} required value={draft.full_name}
            onInput={(e) => setDraft({ ...draft, full_name: (e.currentTarget as HTMLInputElement).value })} />
          <label for={`su-language-${id}`}>{t("admin.people.language")}</label>
          <select id={`su-language-${id}`} value={draft.language}
            onChange={(e) => setDraft({ ...draft, language: (e.currentTarget as HTMLSelectElement).value as "fr" | "en" })}>
            <option value="fr" lang="fr">Français</option>
            <option value="en" lang="en">English</option>
          </select>
          <label class="check">
            <input type="checkbox" checked={draft.supplier_admin} aria-describedby={`su-admin-help-${id}`}
              onChange={(e) => setDraft({ ...draft, supplier_admin: (e.currentTarget as HTMLInputElement).checked })} />
            {t("admin.companies.asAdmin")}
          </label>
          <p id={`su-admin-help-${id}`} class="muted">{t("admin.companies.adminHelp")}</p>
          <div class="actions"><button type="submit">{t("admin.companies.addUser")}</button></div>
        </form>
      </details>
    </li>
  );
}

export function AdminCompanies() {
  const [companies, problem, reload] = useLoaded<SupplierCompany[]>(() => run((a) => a.supplierCompanies()));
  const [draft, setDraft] = useState({ name: "", siret: "" });
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  return (
    <Page title={t("admin.companies")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      <form class="card" aria-labelledby="company-add" onSubmit={async (e) => {
        e.preventDefault();
        setStatus(null);
        const out = await run((a) => a.createSupplierCompany(draft));
        setFormProblem(say(out.problem));
        if (out.value) { setStatus(t("admin.companies.created", { name: out.value.name })); setDraft({ name: "", siret: "" }); reload(); }
      }}>
        <h2 id="company-add">{t("admin.companies.add")}</h2>
        <label for="company-name">{t("admin.companies.name")}</label>
        <input id="company-name" required maxLength={200} value={draft.name}
          onInput={(e) => setDraft({ ...draft, name: (e.currentTarget as HTMLInputElement).value })} />
        <label for="company-siret">{t("admin.companies.siret")}</label>
        <input id="company-siret" required inputMode="numeric" autocomplete="off" maxLength={40} value={draft.siret}
          onInput={(e) => setDraft({ ...draft, siret: (e.currentTarget as HTMLInputElement).value })} />
        <Problem message={formProblem} />
        <div class="actions"><button type="submit">{t("admin.companies.add")}</button></div>
      </form>
      <Status text={status} />
      {companies === null && !problem && <p role="status">{t("common.loading")}</p>}
      {companies?.length === 0 && <p class="muted">{t("admin.companies.none")}</p>}
      <ul class="plain">
        {companies?.map((c) => <CompanyCard key={c.id} company={c} onChanged={reload} />)}
      </ul>
    </Page>
  );
}
