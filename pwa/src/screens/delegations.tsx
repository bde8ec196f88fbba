/** The manager's delegations in progress (GET /api/v1/me/delegations through the data layer):
 * those given ("you lend your approvals to …", with End) and those received ("you decide on
 * behalf of …"), and a form to lend one's approvals to a colleague from one day to another
 * (the colleagues and every check are the server's). Online only: offline it says so. */
import { useEffect, useState } from "preact/hooks";
import { delegate, delegates, delegations, endDelegation, session, type DelegableKind, type Delegate, type Delegation } from "../app/data";
import { inProgress } from "../app/decisions";
import { formatDateTime, language, t, type MessageKey } from "../app/i18n";
import type { ApiProblem } from "../app/model";
import { Page, Problem } from "../app/ui";

/** Today as YYYY-MM-DD on the phone's clock. */
const today = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

/** The start of a local day (YYYY-MM-DD, plus `days`) as an ISO instant with its zone. */
function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days).toISOString();
}

const KINDS: readonly DelegableKind[] = ["mission", "claim", "service_done"];
const kindName = (k: string) => t(`approvals.kind.${k}` as MessageKey);

function NewDelegation({ onCreated }: { onCreated: () => void }) {
  const [people, setPeople] = useState<Delegate[] | null>(null);
  const [who, setWho] = useState("");
  const [from, setFrom] = useState(today());
  const [to, setTo] = useState(today());
  const [kinds, setKinds] = useState<ReadonlySet<DelegableKind>>(new Set());
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [done, setDone] = useState("");
  useEffect(() => {
    void delegates().then((r) => { if (r.ok) setPeople(r.value); });
  }, []);
  if (people === null) return null;
  async function submit(event: Event) {
    event.preventDefault();
    setDone("");
    // The last day is included: the delegation ends at the start of the next day.
    const failed = await delegate(who, dayStart(from), dayStart(to, 1), KINDS.filter((k) => kinds.has(k)));
    setProblem(failed);
    if (!failed) {
      setDone(t("delegations.created", { name: people?.find((p) => p.id === who)?.full_name ?? "" }));
      onCreated();
    }
  }
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="new-delegation">
      <h2 id="new-delegation">{t("delegations.new")}</h2>
      <label for="delegate-who">{t("delegations.who")}</label>
      <select id="delegate-who" required value={who} onChange={(e) => setWho((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">{t("delegations.choose")}</option>
        {people.map((p) => <option key={p.id} value={p.id}>{p.full_name}</option>)}
      </select>
      <label for="delegate-from">{t("delegations.from")}</label>
      <input id="delegate-from" type="date" required value={from} onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
      <label for="delegate-to">{t("delegations.to")}</label>
      <input id="delegate-to" type="date" required value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
      <fieldset>
        <legend>{t("delegations.kinds")}</legend>
        {KINDS.map((k) => (
          <label key={k} class="check" for={`delegate-kind-${k}`}>
            <input id={`delegate-kind-${k}`} type="checkbox" checked={kinds.has(k)} onChange={(e) => {
              const next = new Set(kinds);
              if ((e.currentTarget as HTMLInputElement).checked) next.add(k); else next.delete(k);
              setKinds(next);
            }} />
            {kindName(k)}
          </label>
        ))}
      </fieldset>
      <Problem message={problem ? problem.message[language.value] : null} />
      <div class="actions"><button type="submit">{t("delegations.create")}</button></div>
      {done && <p role="status">{done}</p>}
    </form>
  );
}

export function Delegations() {
  const [list, setList] = useState<Delegation[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const me = session.value?.user.id ?? "";
  async function load() {
    const result = await delegations();
    if (result.ok) { setList(inProgress(result.value, Date.now())); setProblem(null); } else setProblem(result.problem);
  }
  useEffect(() => { void load(); }, []);
  async function end(id: string) {
    const failed = await endDelegation(id);
    if (failed) setProblem(failed); else await load();
  }
  const period = (d: Delegation) => ({ from: formatDateTime(d.starts_at), to: formatDateTime(d.ends_at) });
  const lent = (d: Delegation) => (d.kinds?.length ? <p class="muted">{d.kinds.map(kindName).join(", ")}</p> : null);
  const manager = session.value?.user.role === "manager";
  return (
    <Page title={t("delegations.title")}>
      <p><a href="/approvals">{t("decision.back")}</a></p>
      {problem && <Problem message={problem.status === 0 ? t("delegations.offline") : problem.message[language.value]} />}
      {list !== null && list.length === 0 && <p class="muted">{t("delegations.none")}</p>}
      <ul class="plain">
        {(list ?? []).map((d) => (
          <li key={d.id} class="card">
            {d.delegator_id === me ? (
              <>
                <p>{t("delegations.given", { name: d.delegate_name, ...period(d) })}</p>
                {lent(d)}
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => void end(d.id)} aria-label={t("delegations.endOf", { name: d.delegate_name })}>{t("delegations.end")}</button>
                </div>
              </>
            ) : <><p>{t("delegations.received", { name: d.delegator_name, ...period(d) })}</p>{lent(d)}</>}
          </li>
        ))}
      </ul>
      {manager && problem?.status !== 0 && <NewDelegation onCreated={() => void load()} />}
    </Page>
  );
}
