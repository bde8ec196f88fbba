/** Déclaration d'accessibilité (the RGAA accessibility statement): the status, the figures of
 * the browser tests' axe-core audits (src/app/accessibility-audit.json) and how to report a
 * problem. Reachable signed out too (link on the sign-in page). */
import { summarize, type AuditData } from "../app/accessibility";
import audit from "../app/accessibility-audit.json";
import { formatDate, formatPercent, t, type MessageKey } from "../app/i18n";
import { Page } from "../app/ui";

const summary = summarize(audit as AuditData);

export default function Accessibility() {
  const s = summary;
  return (
    <Page title={t("a11y.title")}>
      <p>{t("a11y.intro")}</p>
      <h2>{t("a11y.stateTitle")}</h2>
      <p>{t("a11y.state")}</p>
      <h2>{t("a11y.measuredTitle")}</h2>
      <p>
        {t("a11y.measured", {
          date: formatDate(s.auditedOn), screens: s.screens, version: s.axeVersion,
          passed: s.rulesPassed, failed: s.failing.length, rate: formatPercent(s.passRate),
        })}
      </p>
      <p>{s.serious ? t("a11y.serious", { n: s.serious }) : t("a11y.noSerious")}</p>
      <h2>{t("a11y.gapsTitle")}</h2>
      {s.failing.length === 0 ? <p>{t("a11y.noFailing")}</p> : (
        <ul>
          {s.failing.map((rule) => (
            <li key={rule.id}>
              {t("a11y.failing", {
                help: rule.help, n: rule.screens,
                impact: t(`a11y.impact.${rule.impact ?? "minor"}` as MessageKey),
              })}
            </li>
          ))}
        </ul>
      )}
      <p>{t("a11y.manual", { review: s.toReview })}</p>
      <h2>{t("a11y.reportTitle")}</h2>
      <p>{t("a11y.report")}</p>
      <h2>{t("a11y.remedyTitle")}</h2>
      <p>{t("a11y.remedy")}</p>
    </Page>
  );
}
