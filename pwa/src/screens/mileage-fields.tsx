/** A mileage line's fields: only the km; the amount is the scale's, previewed here with the
 * split per annual km band (the server's price replaces it once synced), or why it cannot be
 * priced (no car in the settings yet, no km). */
import { describeCode } from "../data";
import { formatMoney, formatNumber, language, t } from "../app/i18n";
import type { MileageRefusal, MileageSplit } from "../app/mileage";
import { previewMileage } from "../app/vehicle";

/** Why a mileage line cannot be priced, in the app's language: the server's own words, from the
 * data layer's one copy of its catalogue (src/data/messages.ts, loaded apart at start). */
export const refusalText = (code: MileageRefusal): string => describeCode(code)[language.value];

/** "200 km × 0,32 € + 300 km × 0,40 €" in the app's language. */
export function MileageSplitText({ split }: { split: MileageSplit }) {
  const text = split.parts
    .map((p) => `${formatNumber(p.km)} km × ${formatMoney(Math.round(Number(p.euros_per_km) * 100))}`)
    .join(" + ");
  return <p class="muted" data-testid="mileage-split">{t("mileage.split", { cv: split.fiscal_cv, parts: text })}</p>;
}

export function MileageFields({ lineId, spentOn, km, onKm }: { lineId: string; spentOn: string; km: string; onKm: (value: string) => void }) {
  const number = km.trim() === "" ? 0 : Number(km);
  const preview = previewMileage({ id: lineId, category: "mileage", spent_on: spentOn, km: number });
  return (
    <>
      <label for="km">{t("mileage.km")}</label>
      <input id="km" name="km" type="number" inputMode="numeric" min={1} step={1} required value={km}
        onInput={(e) => onKm((e.currentTarget as HTMLInputElement).value)} aria-describedby="mileage-preview" />
      <div id="mileage-preview" aria-live="polite">
        {preview.ok && (
          <>
            <p class="row"><span>{t("mileage.amount")}</span><strong data-testid="mileage-amount">{formatMoney(preview.cents)}</strong></p>
            <MileageSplitText split={preview.split} />
          </>
        )}
        {!preview.ok && preview.code === "VEHICLE_PROFILE_MISSING" && (
          <p class="alert">{refusalText(preview.code)} <a href="/settings/vehicle">{t("vehicle.title")}</a></p>
        )}
      </div>
    </>
  );
}
