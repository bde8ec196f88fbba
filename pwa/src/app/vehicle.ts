/** The agent's vehicle profile (synced entity `vehicle_profile`, set offline by the intent
 * `vehicle_profile.set`), the preview of a mileage line against it, and the printed
 * documents (PDF) fetched through the data layer and handed to the browser as a download. */
import { computed } from "@preact/signals";
import * as data from "../data";
import { allRows, lines, pendingDocumentIds, ruleSets, session } from "./data";
import { annualKm, priceMileage, priceShown, type MileageLineFacts, type VehicleProfile } from "./mileage";
import { toVehicle } from "./rows";

const myId = (): string => session.value?.user.id ?? "";

/** The signed-in agent's car, or null before they entered it. */
export const vehicle = computed<VehicleProfile | null>(() => {
  const row = allRows("vehicle_profile").value.find((r) => r.id === myId());
  return row ? toVehicle(row) : null;
});

/** Creates or replaces the agent's car (queued offline like any intent). */
export function saveVehicle(profile: VehicleProfile): void {
  void data.commands.vehicles.set({ id: myId(), ...profile }).catch((error: unknown) => console.warn("nomade: write failed", error));
}

/** The agent's mileage lines as the pricing rule reads them. */
const mileageLines = computed<MileageLineFacts[]>(() =>
  lines.value.filter((l) => l.category === "mileage").map((l) => ({ id: l.id, category: l.category, spent_on: l.spent_on, km: l.km })));

/** A mileage line's price: the server's while it still applies to the line as typed (synced,
 * same km and date), else priced on the phone with the same rule and data as the server. */
export function previewMileage(line: MileageLineFacts) {
  const synced = pendingDocumentIds.value.has(line.id) ? null : lines.value.find((l) => l.id === line.id) ?? null;
  return priceShown(line, synced, () => priceMileage(line, vehicle.value, mileageLines.value, ruleSets.value));
}

/** The agent's km of `year` so far (declared + their mileage lines). */
export const kmThisYear = (year: number): number => annualKm(vehicle.value, mileageLines.value, year);

/** Downloads the PDF of a mission order or expense claim in `lang`; false when it could not
 * be fetched (offline, or refused). */
export async function downloadDocument(kind: "mission" | "claim", id: string, lang: "fr" | "en", name: string): Promise<boolean> {
  try {
    const blob = await data.printedDocument(kind, id, lang);
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return true;
  } catch {
    return false;
  }
}
