/** The admin screens' view of the data layer's administration (src/data/admin.ts): each
 * action answers `{ value }` or `{ problem }` (a coded FR/EN message), never throws. */
import * as data from "../data";
import type { ImportReport } from "../data";
import type { ApiProblem } from "./model";

export type {
  AdminOrganisation, AdminPerson, AdminUnit, ImportLineError, ImportReport, IntegrationKey, Invitation, NewOrganisation,
  NewOrganisationMade, OrganisationKind, Registration, RuleSetFields, RuleSetVersion, StaffRole, SupplierCompany, SupplierUser,
} from "../data";

export type Outcome<T> = { value: T; problem: null } | { value: null; problem: ApiProblem };

function problemOf(error: unknown): ApiProblem {
  if (error instanceof data.DataError) {
    return { code: error.code, message: error.text, status: error instanceof data.ApiError ? error.status : 0 };
  }
  return { code: "UNKNOWN", status: 0, message: { fr: "Erreur inattendue.", en: "Unexpected error." } };
}

/** Runs one administration call: its value, or the problem to show. */
export async function run<T>(call: (admin: data.Administration) => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await call(data.administration()), problem: null };
  } catch (error) {
    return { value: null, problem: problemOf(error) };
  }
}

/** Checks or imports a CSV file: a file with errors gives the report (nothing saved) too. */
export async function importPeople(file: Blob, dryRun: boolean): Promise<Outcome<ImportReport>> {
  try {
    return { value: await data.administration().importPeople(file, dryRun), problem: null };
  } catch (error) {
    if (error instanceof data.ApiError && error.code === "IMPORT_INVALID") {
      const report = (error.details as { report?: ImportReport }).report;
      if (report) return { value: report, problem: null };
    }
    return { value: null, problem: problemOf(error) };
  }
}

/** A newcomer's public call (registration, invitation): null when done, else the problem. */
export async function onboard(call: (onboarding: data.Onboarding) => Promise<unknown>): Promise<ApiProblem | null> {
  try {
    await call(data.onboarding());
    return null;
  } catch (error) {
    return problemOf(error);
  }
}
