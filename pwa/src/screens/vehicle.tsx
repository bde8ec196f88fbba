/** The agent's car for mileage allowances (settings): fiscal horsepower and the professional
 * km already driven this year outside Nomade; the km so far this year follow the mileage
 * lines. Saved offline like any change (the intent waits for the network). */
import { useState } from "preact/hooks";
import { formatNumber, t } from "../app/i18n";
import { kmThisYear, saveVehicle, vehicle } from "../app/vehicle";
import { Page, Problem } from "../app/ui";

export function VehicleSettings() {
  const year = new Date().getFullYear();
  const current = vehicle.value;
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const cv = Number(f.get("fiscal_cv")), declared = Number(String(f.get("declared_km") ?? "0").trim() || "0");
    if (!Number.isInteger(cv) || cv < 1 || cv > 50) return setProblem(t("vehicle.cvInvalid"));
    if (!Number.isInteger(declared) || declared < 0) return setProblem(t("vehicle.kmInvalid"));
    setProblem(null);
    saveVehicle({ fiscal_cv: cv, year, declared_km: declared });
    setSaved(true);
  }

  return (
    <Page title={t("vehicle.title")}>
      <p class="muted">{t("vehicle.help")}</p>
      <form onSubmit={submit}>
        <label for="fiscal_cv">{t("vehicle.cv")}</label>
        <input id="fiscal_cv" name="fiscal_cv" type="number" inputMode="numeric" min={1} max={50} required defaultValue={current ? String(current.fiscal_cv) : ""} />
        <label for="declared_km">{t("vehicle.declared", { year })}</label>
        <input id="declared_km" name="declared_km" type="number" inputMode="numeric" min={0} defaultValue={current && current.year === year ? String(current.declared_km) : "0"} />
        <Problem message={problem} />
        <div class="actions"><button type="submit">{t("common.save")}</button></div>
        {saved && <p role="status">{t("vehicle.saved")}</p>}
      </form>
      {current && <p data-testid="km-this-year">{t("vehicle.soFar", { year, km: formatNumber(kmThisYear(year)) })}</p>}
    </Page>
  );
}
