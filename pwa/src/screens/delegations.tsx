/** The manager's delegations in progress (GET /api/v1/me/delegations through the data layer):
 * those given ("you lend your approvals to …", with End) and those received ("you decide on
 * behalf of …"). Online only: offline it says so. */
import { useEffect, useState } from "preact/hooks";
import { delegations, endDelegation, session, type Delegation } from "../app/data";
import { inProgress } from "../app/decisions";
import { formatDateTime, language, t } from "../app/i18n";
import type { ApiProblem } from "../app/model";
import { Page, Problem } from "../app/ui";

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
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => void end(d.id)} aria-label={t("delegations.endOf", { name: d.delegate_name })}>{t("delegations.end")}</button>
                </div>
              </>
            ) : <p>{t("delegations.received", { name: d.delegator_name, ...period(d) })}</p>}
          </li>
        ))}
      </ul>
    </Page>
  );
}
