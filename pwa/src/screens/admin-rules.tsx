/** The dated versions of the organisation's expense rules, and a new version from a date. The
 * form starts from the version in force today and changes its amounts; everything else of that
 * version is sent back as it is. The server refuses a date in the past (RULE_SET_IN_PAST): the
 * refusal is shown on the form in the page's language. */
import { useEffect, useState } from "preact/hooks";
import { run, type RuleSetVersion } from "../app/admin";
import { formatDate, formatMoney, language, parseMoneyToCents, t, type MessageKey } from "../app/i18n";
import { Page, Problem } from "../app/ui";
import { say, Status, useLoaded } from "./admin";

const LODGING_ORDER = ["base", "large_city", "grand_paris", "paris"];

function lodgingOf(rules: Record<string, unknown>): Record<string, number> {
  return (rules.lodging_caps_cents ?? {}) as Record<string, number>;
}

function lodgingKeys(rules: Record<string, unknown>): string[] {
  return Object.keys(lodgingOf(rules)).sort((a, b) => {
    const [x, y] = [LODGING_ORDER.indexOf(a), LODGING_ORDER.indexOf(b)];
    return (x < 0 ? 99 : x) - (y < 0 ? 99 : y) || a.localeCompare(b);
  });
}

const lodgingLabel = (key: string): string =>
  LODGING_ORDER.includes(key) ? t(`admin.rules.lodging.${key}` as MessageKey) : key;

/** Cents as the euros a person types in the page's language ("20,50" in French). */
const euros = (cents: number): string => {
  const text = (cents / 100).toFixed(2);
  return language.value === "fr" ? text.replace(".", ",") : text;
};

function VersionCard({ version }: { version: RuleSetVersion }) {
  const lodging = lodgingOf(version.rules);
  return (
    <li class="card">
      <div class="row">
        <h2>{version.name}</h2>
        {version.in_force_today && <span class="badge ok">{t("admin.rules.inForce")}</span>}
      </div>
      <p class="muted">
        {version.valid_until
          ? t("admin.rules.period", { from: formatDate(version.valid_from), until: formatDate(version.valid_until) })
          : t("admin.rules.since", { from: formatDate(version.valid_from) })}
      </p>
      <p class="muted">
        {t("admin.rules.meal")} {formatMoney(Number(version.rules.meal_cap_cents ?? 0))}
        {lodgingKeys(version.rules).map((key) => ` · ${lodgingLabel(key)} ${formatMoney(lodging[key] ?? 0)}`).join("")}
      </p>
    </li>
  );
}

export function AdminRules() {
  const [versions, problem, reload] = useLoaded<RuleSetVersion[]>(() => run((a) => a.ruleSets()));
  const current = versions?.find((v) => v.in_force_today) ?? versions?.[versions.length - 1] ?? null;
  const [name, setName] = useState("");
  const [from, setFrom] = useState("");
  const [source, setSource] = useState("");
  const [meal, setMeal] = useState("");
  const [lodging, setLodging] = useState<Record<string, string>>({});
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    if (!current) return;
    setMeal(euros(Number(current.rules.meal_cap_cents ?? 0)));
    setLodging(Object.fromEntries(lodgingKeys(current.rules).map((k) => [k, euros(lodgingOf(current.rules)[k] ?? 0)])));
  }, [current?.name]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!current) return;
    setStatus(null);
    const mealCents = parseMoneyToCents(meal);
    const caps = Object.entries(lodging).map(([k, v]) => [k, parseMoneyToCents(v)] as const);
    if (mealCents === null || caps.some(([, v]) => v === null)) {
      setFormProblem(t("admin.rules.amountInvalid"));
      return;
    }
    const out = await run((a) => a.addRuleSet({
      ...current.rules, name: name.trim(), valid_from: from, source: source.trim(), meal_cap_cents: mealCents,
      lodging_caps_cents: Object.fromEntries(caps),
    }));
    setFormProblem(say(out.problem));
    if (out.value) {
      setStatus(t("admin.rules.added", { name: name.trim(), from: formatDate(from) }));
      setName(""); setFrom(""); setSource("");
      reload();
    }
  };
  return (
    <Page title={t("admin.rules.manage")}>
      <p><a href="/admin">{t("common.back")}</a></p>
      <Problem message={problem} />
      {versions === null && !problem && <p role="status">{t("common.loading")}</p>}
      <p class="muted">{t("admin.rules.explain")}</p>
      <ul class="plain" aria-label={t("admin.rules")}>
        {versions?.map((v) => <VersionCard key={v.name} version={v} />)}
      </ul>
      <Status text={status} />
      {current && (
        <form class="card" onSubmit={submit} aria-labelledby="rules-add">
          <h2 id="rules-add">{t("admin.rules.add")}</h2>
          <p class="muted">{t("admin.rules.startsFrom", { name: current.name })}</p>
          <label for="rules-name">{t("admin.rules.versionName")}</label>
          <input id="rules-name" required maxLength={120} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <label for="rules-from">{t("admin.rules.validFrom")}</label>
          <input id="rules-from" type="date" required value={from} aria-describedby="rules-from-help"
            onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
          <p id="rules-from-help" class="muted">{t("admin.rules.fromHelp")}</p>
          <label for="rules-source">{t("admin.rules.source")}</label>
          <input id="rules-source" maxLength={200} value={source} onInput={(e) => setSource((e.currentTarget as HTMLInputElement).value)} />
          <fieldset>
            <legend>{t("admin.rules.amounts")}</legend>
            <label for="rules-meal">{t("admin.rules.meal")}</label>
            <input id="rules-meal" inputMode="decimal" required value={meal} onInput={(e) => setMeal((e.currentTarget as HTMLInputElement).value)} />
            {Object.keys(lodging).map((key) => (
              <div key={key}>
                <label for={`rules-lodging-${key}`}>{lodgingLabel(key)}</label>
                <input id={`rules-lodging-${key}`} inputMode="decimal" required value={lodging[key]}
                  onInput={(e) => setLodging({ ...lodging, [key]: (e.currentTarget as HTMLInputElement).value })} />
              </div>
            ))}
          </fieldset>
          <Problem message={formProblem} />
          <div class="actions"><button type="submit">{t("admin.rules.add")}</button></div>
        </form>
      )}
    </Page>
  );
}
