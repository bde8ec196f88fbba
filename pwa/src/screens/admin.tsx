/** Screens of the admin role: the organisation (kind, payment deadline, expense rule versions)
 * with links to the sections, units, people, CSV import, supplier registrations and integration
 * keys. Online only: every action goes through app/admin.ts (the data layer), and a refusal is
 * shown as its coded FR/EN message. */
import { useEffect, useState } from "preact/hooks";
import {
  importPeople, run, type AdminOrganisation, type AdminPerson, type AdminUnit, type ImportReport, type IntegrationKey,
  type Invitation, type OrganisationKind, type Registration, type RuleSetVersion, type StaffRole,
} from "../app/admin";
import { formatDate, formatDateTime, language, t, type MessageKey } from "../app/i18n";
import type { ApiProblem } from "../app/model";
import { Page, Problem } from "../app/ui";

const KINDS: OrganisationKind[] = ["state", "local", "hospital", "public_company"];
const ROLES: StaffRole[] = ["agent", "manager", "back_office", "admin"];

export const say = (problem: ApiProblem | null): string | null => (problem ? problem.message[language.value] : null);
const roleLabel = (role: string): string => t(`admin.role.${role}` as MessageKey);

/** Loads a list once (and again after `reload()`), with its problem. */
export function useLoaded<T>(load: () => ReturnType<typeof run<T>>): [T | null, string | null, () => void, (p: string | null) => void] {
  const [value, setValue] = useState<T | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    void load().then((out) => { setValue(out.value); setProblem(say(out.problem)); });
  }, [tick]);
  return [value, problem, () => setTick((n) => n + 1), setProblem];
}

export function Status({ text }: { text: string | null }) {
  return <p role="status" class={text ? "alert ok" : "sr-only"}>{text ?? ""}</p>;
}

const SECTIONS: { href: string; label: MessageKey }[] = [
  { href: "/admin/units", label: "admin.units" },
  { href: "/admin/people", label: "admin.people" },
  { href: "/admin/import", label: "admin.import" },
  { href: "/admin/suppliers", label: "admin.suppliers" },
  { href: "/admin/companies", label: "admin.companies" },
  { href: "/admin/keys", label: "admin.keys" },
  { href: "/admin/rules", label: "admin.rules.manage" },
  { href: "/admin/organisations", label: "admin.organisations" },
];

export function AdminHome() {
  const [org, problem, reload, setProblem] = useLoaded<AdminOrganisation>(() => run((a) => a.organisation()));
  const [rules, rulesProblem] = useLoaded<RuleSetVersion[]>(() => run((a) => a.ruleSets()));
  const [kind, setKind] = useState<OrganisationKind | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  return (
    <Page title={t("admin.title")}>
      <Problem message={problem ?? rulesProblem} />
      {org === null && !problem && <p role="status">{t("common.loading")}</p>}
      {org && (
        <section class="card" aria-labelledby="org-name">
          <h2 id="org-name">{org.name}</h2>
          <p class="muted">{t("admin.siret")} {org.siret}{org.code_service ? ` · ${org.code_service}` : ""}</p>
          <form onSubmit={async (e) => {
            e.preventDefault();
            const out = await run((a) => a.updateOrganisation({ kind: kind ?? org.kind }));
            setProblem(say(out.problem));
            setStatus(out.problem ? null : t("admin.saved"));
            if (!out.problem) reload();
          }}>
            <label for="org-kind">{t("admin.kind")}</label>
            <select id="org-kind" value={kind ?? org.kind} aria-describedby="org-days"
              onChange={(e) => { setKind((e.currentTarget as HTMLSelectElement).value as OrganisationKind); setStatus(null); }}>
              {KINDS.map((k) => <option key={k} value={k}>{t(`admin.kind.${k}` as MessageKey)}</option>)}
            </select>
            <p id="org-days" class="muted">{t("admin.paymentDays", { n: org.payment_days })}</p>
            <button type="submit">{t("common.save")}</button>
          </form>
          <Status text={status} />
        </section>
      )}
      <nav aria-labelledby="sections">
        <h2 id="sections">{t("admin.sections")}</h2>
        <ul class="plain">
          {SECTIONS.map((s) => <li key={s.href} class="card"><a class="cardlink" href={s.href}>{t(s.label)}</a></li>)}
        </ul>
      </nav>
      {rules && (
        <table class="grid">
          <caption><h2>{t("admin.rules")}</h2></caption>
          <thead><tr><th scope="col">{t("admin.rules.name")}</th><th scope="col">{t("admin.rules.from")}</th><th scope="col">{t("admin.rules.until")}</th></tr></thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}{r.in_force_today && <> <span class="badge ok">{t("admin.rules.inForce")}</span></>}</th>
                <td>{formatDate(r.valid_from)}</td>
                <td>{r.valid_until ? formatDate(r.valid_until) : t("admin.rules.open")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

/** Units ordered parents first, each with its depth in the tree. */
function withDepth(units: AdminUnit[]): { unit: AdminUnit; depth: number }[] {
  const depth = new Map<string, number>();
  return units.map((unit) => {
    const d = unit.parent_id ? (depth.get(unit.parent_id) ?? 0) + 1 : 0;
    depth.set(unit.id, d);
    return { unit, depth: d };
  });
}

function UnitOptions({ units, empty }: { units: AdminUnit[]; empty: string }) {
  return (
    <>
      <option value="">{empty}</option>
      {withDepth(units).map(({ unit, depth }) => (
        <option key={unit.id} value={unit.id}>{`${"\u00a0\u00a0".repeat(depth)}${unit.name}${unit.code_service ? ` (${unit.code_service})` : ""}`}</option>
      ))}
    </>
  );
}

export function AdminUnits() {
  const [units, problem, reload, setProblem] = useLoaded<AdminUnit[]>(() => run((a) => a.units()));
  const [draft, setDraft] = useState({ name: "", code_service: "", parent_id: "" });
  const [status, setStatus] = useState<string | null>(null);
  return (
    <Page title={t("admin.units")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      {units === null && !problem && <p role="status">{t("common.loading")}</p>}
      <ul class="plain">
        {units && withDepth(units).map(({ unit, depth }) => (
          <li key={unit.id} class="card" style={`margin-left:${Math.min(depth, 4) * 12}px`}>
            <h2>{unit.name} {unit.code_service && <span class="muted">({unit.code_service})</span>}</h2>
            {unit.parent_id && <p class="muted">{t("admin.units.under", { name: units.find((u) => u.id === unit.parent_id)?.name ?? "" })}</p>}
            <p class="muted">{unit.managers.length
              ? t("admin.units.managersList", { names: unit.managers.map((m) => m.full_name).join(", ") })
              : t("admin.units.noManager")}</p>
          </li>
        ))}
      </ul>
      {units && (
        <form class="card" onSubmit={async (e) => {
          e.preventDefault();
          const out = await run((a) => a.createUnit({ ...draft, parent_id: draft.parent_id || null }));
          setProblem(say(out.problem));
          if (out.value) { setStatus(`${out.value.name} ✓`); setDraft({ name: "", code_service: "", parent_id: "" }); reload(); }
        }}>
          <h2>{t("admin.units.add")}</h2>
          <label for="unit-name">{t("admin.units.name")}</label>
          <input id="unit-name" required value={draft.name} onInput={(e) => setDraft({ ...draft, name: (e.currentTarget as HTMLInputElement).value })} />
          <label for="unit-code">{t("admin.units.code")}</label>
          <input id="unit-code" value={draft.code_service} onInput={(e) => setDraft({ ...draft, code_service: (e.currentTarget as HTMLInputElement).value })} />
          <label for="unit-parent">{t("admin.units.parent")}</label>
          <select id="unit-parent" value={draft.parent_id} onChange={(e) => setDraft({ ...draft, parent_id: (e.currentTarget as HTMLSelectElement).value })}>
            <UnitOptions units={units} empty={t("admin.units.none")} />
          </select>
          <div class="actions"><button type="submit">{t("admin.units.add")}</button></div>
          <Status text={status} />
        </form>
      )}
    </Page>
  );
}

function PersonCard({ person, units, onChanged, onProblem }: {
  person: AdminPerson; units: AdminUnit[]; onChanged: (text: string) => void; onProblem: (p: string | null) => void;
}) {
  const [role, setRole] = useState(person.role);
  const [unit, setUnit] = useState(person.unit_id ?? "");
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const unitName = units.find((u) => u.id === person.unit_id)?.name ?? t("admin.people.noUnit");
  const id = person.id.slice(0, 8);
  return (
    <li class="card">
      <div class="row">
        <h2>{person.full_name}</h2>
        {!person.is_active && <span class="badge bad">{t("admin.people.inactive")}</span>}
      </div>
      <p class="muted">{person.email} · {roleLabel(person.role)} · {unitName}</p>
      {person.is_active && (
        <details class="manage">
        <summary>{t("admin.people.manage", { name: person.full_name })}</summary>
        <form onSubmit={async (e) => {
          e.preventDefault();
          const patch: { role?: StaffRole; unit_id?: string } = {};
          if (role !== person.role) patch.role = role as StaffRole;
          if (unit && unit !== person.unit_id) patch.unit_id = unit;
          const out = await run((a) => a.updatePerson(person.id, patch));
          onProblem(say(out.problem));
          if (out.value) onChanged(`${person.full_name} ✓`);
        }}>
          <fieldset>
            <legend>{t("admin.people.changeFor", { name: person.full_name })}</legend>
            <div class="grid2">
              <div>
                <label for={`role-${id}`}>{t("admin.people.role")}</label>
                <select id={`role-${id}`} value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value)}>
                  {ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                </select>
              </div>
              <div>
                <label for={`unit-${id}`}>{t("admin.people.unit")}</label>
                <select id={`unit-${id}`} value={unit} onChange={(e) => setUnit((e.currentTarget as HTMLSelectElement).value)}>
                  <UnitOptions units={units} empty={t("admin.people.noUnit")} />
                </select>
              </div>
            </div>
            <div class="actions">
              <button type="submit" class="secondary">{t("admin.people.apply")}</button>
              <button type="button" class="secondary" onClick={async () => {
                const out = await run((a) => a.invite(person.id));
                onProblem(say(out.problem));
                setInvitation(out.value);
              }}>{t("admin.people.invite")}</button>
              <button type="button" class="danger" onClick={async () => {
                const out = await run((a) => a.deactivatePerson(person.id));
                onProblem(say(out.problem));
                if (out.value) {
                  const alone = out.value.without_approver.map((p) => p.full_name).join(", ");
                  onChanged(`${person.full_name} — ${t("admin.people.inactive")}.${alone ? ` ${t("admin.people.flagged", { names: alone })}` : ""}`);
                }
              }}>{t("admin.people.deactivate")}</button>
            </div>
          </fieldset>
        </form>
        </details>
      )}
      {invitation && (
        <p role="status">{t("admin.people.inviteFor", { name: person.full_name })}{" "}
          <code style="word-break:break-all">{`${location.origin}${invitation.link}`}</code></p>
      )}
    </li>
  );
}

export function AdminPeople() {
  const [people, problem, reload, setProblem] = useLoaded<AdminPerson[]>(() => run((a) => a.people()));
  const [units] = useLoaded<AdminUnit[]>(() => run((a) => a.units()));
  const empty = { email: "", full_name: "", role: "agent" as StaffRole, unit_id: "", language: "fr" as "fr" | "en" };
  const [draft, setDraft] = useState(empty);
  const [status, setStatus] = useState<string | null>(null);
  const changed = (text: string) => { setStatus(text); reload(); };
  return (
    <Page title={t("admin.people")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      <Status text={status} />
      <form class="card" onSubmit={async (e) => {
        e.preventDefault();
        const out = await run((a) => a.createPerson({ ...draft, unit_id: draft.unit_id || null }));
        setProblem(say(out.problem));
        if (out.value) { changed(t("admin.people.created", { name: out.value.full_name })); setDraft(empty); }
      }}>
        <h2>{t("admin.people.add")}</h2>
        <label for="new-email">{t("admin.people.email")}</label>
        <input id="new-email" type="email" required autocomplete="off" value={draft.email}
          onInput={(e) => setDraft({ ...draft, email: (e.currentTarget as HTMLInputElement).value })} />
        <label for="new-name">{t("admin.people.name")}</label>
        <input id="new-name" required value={draft.full_name}
          onInput={(e) => setDraft({ ...draft, full_name: (e.currentTarget as HTMLInputElement).value })} />
        <div class="grid2">
          <div>
            <label for="new-role">{t("admin.people.role")}</label>
            <select id="new-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: (e.currentTarget as HTMLSelectElement).value as StaffRole })}>
              {ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
            </select>
          </div>
          <div>
            <label for="new-language">{t("admin.people.language")}</label>
            <select id="new-language" value={draft.language} onChange={(e) => setDraft({ ...draft, language: (e.currentTarget as HTMLSelectElement).value as "fr" | "en" })}>
              <option value="fr" lang="fr">Français</option>
              <option value="en" lang="en">English</option>
            </select>
          </div>
        </div>
        <label for="new-unit">{t("admin.people.unit")}</label>
        <select id="new-unit" value={draft.unit_id} onChange={(e) => setDraft({ ...draft, unit_id: (e.currentTarget as HTMLSelectElement).value })}>
          <UnitOptions units={units ?? []} empty={t("admin.people.noUnit")} />
        </select>
        <p class="muted">{t("admin.people.effect")}</p>
        <div class="actions"><button type="submit">{t("admin.people.add")}</button></div>
      </form>
      {people === null && !problem && <p role="status">{t("common.loading")}</p>}
      <ul class="plain">
        {people?.map((p) => <PersonCard key={`${p.id}-${p.role}-${p.unit_id}-${p.is_active}`} person={p} units={units ?? []} onChanged={changed} onProblem={setProblem} />)}
      </ul>
    </Page>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  const lang = language.value;
  return (
    <section aria-live="polite">
      <p class={`alert ${report.errors.length ? "bad" : "ok"}`} role="status">
        {report.errors.length ? t("admin.import.errors", { n: report.errors.length })
          : report.applied ? t("admin.import.applied") : t("admin.import.checked")}{" "}
        {t("admin.import.result", { uc: report.units_created, uu: report.units_updated, pc: report.people_created, pu: report.people_updated, n: report.unchanged })}
      </p>
      {report.errors.length > 0 && (
        <table class="grid">
          <caption class="sr-only">{t("admin.import.errors", { n: report.errors.length })}</caption>
          <thead><tr><th scope="col">{t("admin.import.line")}</th><th scope="col">{t("admin.import.code")}</th><th scope="col">{t("admin.import.message")}</th></tr></thead>
          <tbody>
            {report.errors.map((e, i) => (
              <tr key={i}><th scope="row">{e.line}</th><td><code>{e.code}</code></td><td>{lang === "fr" ? e.message_fr : e.message_en}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AdminImport() {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const send = async (dryRun: boolean) => {
    if (!file) return;
    const out = await importPeople(file, dryRun);
    setProblem(say(out.problem));
    setReport(out.value);
  };
  return (
    <Page title={t("admin.import")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <form class="card" onSubmit={(e) => { e.preventDefault(); void send(false); }}>
        <label for="import-file">{t("admin.import.file")}</label>
        <input id="import-file" type="file" accept=".csv,text/csv" required aria-describedby="import-help"
          onChange={(e) => { setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null); setReport(null); }} />
        <p id="import-help" class="muted">{t("admin.import.help")}</p>
        <div class="actions">
          <button type="button" class="secondary" disabled={!file} onClick={() => void send(true)}>{t("admin.import.check")}</button>
          <button type="submit" disabled={!file}>{t("admin.import.run")}</button>
        </div>
      </form>
      <Problem message={problem} />
      {report && <ReportView report={report} />}
    </Page>
  );
}

export function AdminSuppliers() {
  const [requests, problem, reload, setProblem] = useLoaded<Registration[]>(() => run((a) => a.registrations()));
  const [status, setStatus] = useState<string | null>(null);
  const decide = async (r: Registration, decision: "approve" | "refuse") => {
    const out = await run((a) => a.decideRegistration(r.id, decision));
    setProblem(say(out.problem));
    if (out.value) {
      setStatus(t(decision === "approve" ? "admin.suppliers.approved" : "admin.suppliers.refused", { name: r.company_name }));
      reload();
    }
  };
  return (
    <Page title={t("admin.suppliers")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      <Status text={status} />
      {requests === null && !problem && <p role="status">{t("common.loading")}</p>}
      {requests?.length === 0 && <p class="muted">{t("admin.suppliers.none")}</p>}
      <ul class="plain">
        {requests?.map((r) => (
          <li key={r.id} class="card">
            <div class="row">
              <h2>{r.company_name}</h2>
              <span class={`badge ${r.company_known ? "ok" : ""}`}>{t(r.company_known ? "admin.suppliers.known" : "admin.suppliers.new")}</span>
            </div>
            <p class="muted">{t("admin.siret")} {r.siret} · {r.full_name} · {r.email}</p>
            <p class="muted"><time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time></p>
            <div class="actions">
              <button type="button" onClick={() => void decide(r, "approve")} aria-label={`${t("admin.suppliers.approve")} — ${r.company_name}`}>{t("admin.suppliers.approve")}</button>
              <button type="button" class="secondary" onClick={() => void decide(r, "refuse")} aria-label={`${t("admin.suppliers.refuse")} — ${r.company_name}`}>{t("admin.suppliers.refuse")}</button>
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function AdminKeys() {
  const [keys, problem, reload, setProblem] = useLoaded<IntegrationKey[]>(() => run((a) => a.keys()));
  const [name, setName] = useState("");
  const [shown, setShown] = useState<IntegrationKey | null>(null);
  const [inUse, setInUse] = useState<string | null>(null);
  const made = (out: Awaited<ReturnType<typeof run<IntegrationKey>>>) => {
    setProblem(say(out.problem));
    if (out.value) { setShown(out.value); reload(); }
  };
  const revoke = async (key: IntegrationKey, confirmLast: boolean) => {
    const out = await run((a) => a.revokeKey(key.id, confirmLast));
    setProblem(say(out.problem));
    setInUse(out.problem?.code === "INTEGRATION_KEY_IN_USE" ? key.id : null);
    if (!out.problem) reload();
  };
  return (
    <Page title={t("admin.keys")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <form class="card" onSubmit={async (e) => { e.preventDefault(); made(await run((a) => a.createKey(name))); setName(""); }}>
        <label for="key-name">{t("admin.keys.name")}</label>
        <input id="key-name" value={name} maxLength={120} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        <div class="actions"><button type="submit">{t("admin.keys.create")}</button></div>
      </form>
      {shown?.key && (
        <div class="alert info" role="status">
          <p style="margin-top:0">{t("admin.keys.shownOnce")}</p>
          <code style="word-break:break-all" data-testid="new-key">{shown.key}</code>
        </div>
      )}
      <Problem message={problem} />
      {keys?.length === 0 && <p class="muted">{t("admin.keys.none")}</p>}
      <ul class="plain">
        {keys?.map((k) => (
          <li key={k.id} class="card">
            <div class="row">
              <h2>{k.name || k.id.slice(0, 8)}</h2>
              <span class={`badge ${k.revoked_at ? "bad" : "ok"}`}>{t(k.revoked_at ? "admin.keys.revoked" : "admin.keys.active")}</span>
            </div>
            <p class="muted">{t("admin.keys.created")} <time dateTime={k.created_at}>{formatDateTime(k.created_at)}</time></p>
            {!k.revoked_at && (
              <div class="actions">
                <button type="button" class="secondary" onClick={async () => made(await run((a) => a.rotateKey(k.id)))}
                  aria-label={`${t("admin.keys.rotate")} — ${k.name}`}>{t("admin.keys.rotate")}</button>
                <button type="button" class="danger" onClick={() => void revoke(k, inUse === k.id)}
                  aria-label={`${t(inUse === k.id ? "admin.keys.revokeAnyway" : "admin.keys.revoke")} — ${k.name}`}>
                  {t(inUse === k.id ? "admin.keys.revokeAnyway" : "admin.keys.revoke")}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}
