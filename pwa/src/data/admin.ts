/**
 * The administration of an organisation (role admin): plain REST on the server
 * (`/api/v1/admin/…`, backend/administration), online only. Screens reach it through this
 * module, never through fetch. Errors come back as ApiError/NetworkError like every call.
 */
import type { Auth } from './auth';
import type { Http } from './http';

export type OrganisationKind = 'state' | 'local' | 'hospital' | 'public_company';
export type StaffRole = 'agent' | 'manager' | 'back_office' | 'admin';

export interface AdminOrganisation { id: string; name: string; siret: string; code_service: string; kind: OrganisationKind; payment_days: number }
export interface AdminUnit { id: string; name: string; code_service: string; parent_id: string | null; managers: { id: string; full_name: string }[] }
export interface AdminPerson { id: string; email: string; full_name: string; role: string; unit_id: string | null; language: string; is_active: boolean }
export interface Deactivation { person: AdminPerson; without_approver: { id: string; full_name: string }[] }
export interface Invitation { user_id: string; token: string; link: string; expires_at: string }
export interface Registration { id: string; siret: string; company_name: string; email: string; full_name: string; status: string; created_at: string; company_known: boolean }
export interface SupplierUser { id: string; email: string; full_name: string; language: string; is_active: boolean; supplier_admin: boolean; has_password: boolean }
export interface SupplierCompany { id: string; name: string; siret: string; users: SupplierUser[] }
export interface NewOrganisation {
  name: string; siret: string; kind: OrganisationKind; code_service: string;
  admin_email: string; admin_full_name: string; admin_language: 'fr' | 'en';
}
export interface NewOrganisationMade { organisation: AdminOrganisation; admin: AdminPerson; invitation: Invitation }
/** The fields of an expense rule set the screens send back whole (the server keeps the rest). */
export type RuleSetFields = Record<string, unknown> & { name: string; valid_from: string };
export interface IntegrationKey { id: string; name: string; created_at: string; revoked_at: string | null; key: string | null }
export interface RuleSetVersion { name: string; valid_from: string; valid_until: string | null; in_force_today: boolean; rules: Record<string, unknown> }
export interface ImportLineError { line: number; code: string; message_fr: string; message_en: string; details: Record<string, unknown> }
export interface ImportReport {
  dry_run: boolean; applied: boolean; units_created: number; units_updated: number;
  people_created: number; people_updated: number; unchanged: number; errors: ImportLineError[];
}

const A = '/api/v1/admin';
const S = '/api/v1/supplier-admin';

export class Administration {
  constructor(
    private readonly auth: Auth,
    private readonly userId: () => string,
  ) {}

  private async get<T>(path: string): Promise<T> {
    return (await this.auth.authed<T>(this.userId(), { method: 'GET', path: `${A}${path}` })).body;
  }

  private async send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, json?: unknown): Promise<T> {
    const request = json === undefined ? { method, path: `${A}${path}` } : { method, path: `${A}${path}`, json };
    return (await this.auth.authed<T>(this.userId(), request)).body;
  }

  organisation(): Promise<AdminOrganisation> { return this.get('/organisation'); }
  updateOrganisation(patch: Partial<Pick<AdminOrganisation, 'name' | 'code_service' | 'kind'>>): Promise<AdminOrganisation> {
    return this.send('PATCH', '/organisation', patch);
  }
  units(): Promise<AdminUnit[]> { return this.get('/units'); }
  createUnit(unit: { name: string; code_service: string; parent_id: string | null }): Promise<AdminUnit> {
    return this.send('POST', '/units', unit);
  }
  people(): Promise<AdminPerson[]> { return this.get('/people'); }
  createPerson(person: { email: string; full_name: string; role: StaffRole; unit_id: string | null; language: 'fr' | 'en' }): Promise<AdminPerson> {
    return this.send('POST', '/people', person);
  }
  updatePerson(id: string, patch: { role?: StaffRole; unit_id?: string }): Promise<AdminPerson> {
    return this.send('PATCH', `/people/${encodeURIComponent(id)}`, patch);
  }
  /** Deactivates; `without_approver` flags who has nobody left to decide for them. */
  deactivatePerson(id: string): Promise<Deactivation> { return this.send('POST', `/people/${encodeURIComponent(id)}/deactivate`); }
  invite(id: string): Promise<Invitation> { return this.send('POST', `/people/${encodeURIComponent(id)}/invitation`); }
  registrations(): Promise<Registration[]> { return this.get('/supplier-registrations?status=pending'); }
  decideRegistration(id: string, decision: 'approve' | 'refuse'): Promise<Registration> {
    return this.send('POST', `/supplier-registrations/${encodeURIComponent(id)}/${decision}`);
  }
  keys(): Promise<IntegrationKey[]> { return this.get('/integration-keys'); }
  createKey(name: string): Promise<IntegrationKey> { return this.send('POST', '/integration-keys', { name }); }
  rotateKey(id: string): Promise<IntegrationKey> { return this.send('POST', `/integration-keys/${encodeURIComponent(id)}/rotate`); }
  async revokeKey(id: string, confirmLast: boolean): Promise<void> {
    await this.send('DELETE', `/integration-keys/${encodeURIComponent(id)}${confirmLast ? '?confirm_last=true' : ''}`);
  }
  ruleSets(): Promise<RuleSetVersion[]> { return this.get('/rule-sets'); }
  /** A version from `valid_from` (today or later: RULE_SET_IN_PAST otherwise); every version. */
  addRuleSet(rules: RuleSetFields): Promise<RuleSetVersion[]> { return this.send('POST', '/rule-sets', rules); }
  supplierCompanies(): Promise<SupplierCompany[]> { return this.get('/supplier-companies'); }
  createSupplierCompany(company: { name: string; siret: string }): Promise<SupplierCompany> {
    return this.send('POST', '/supplier-companies', company);
  }
  createSupplierUser(companyId: string, user: { email: string; full_name: string; language: 'fr' | 'en'; supplier_admin: boolean }): Promise<AdminPerson> {
    return this.send('POST', `/supplier-companies/${encodeURIComponent(companyId)}/users`, user);
  }
  async setSupplierAdmin(userId: string, supplierAdmin: boolean): Promise<void> {
    await this.send('PATCH', `/supplier-users/${encodeURIComponent(userId)}`, { supplier_admin: supplierAdmin });
  }
  inviteSupplierUser(userId: string): Promise<Invitation> { return this.send('POST', `/supplier-users/${encodeURIComponent(userId)}/invitation`); }
  /** Every organisation (admins of the platform organisation only: PLATFORM_ADMIN_REQUIRED). */
  organisations(): Promise<AdminOrganisation[]> { return this.get('/organisations'); }
  createOrganisation(organisation: NewOrganisation): Promise<NewOrganisationMade> { return this.send('POST', '/organisations', organisation); }

  /** A supplier company's own admin (role supplier): its company (SUPPLIER_ADMIN_REQUIRED when
   * the user is not its admin) and the registration requests for its SIRET. */
  async ownCompany(): Promise<SupplierCompany> {
    return (await this.auth.authed<SupplierCompany>(this.userId(), { method: 'GET', path: `${S}/company` })).body;
  }
  async ownRegistrations(): Promise<Registration[]> {
    return (await this.auth.authed<Registration[]>(this.userId(), { method: 'GET', path: `${S}/registrations?status=pending` })).body;
  }
  async decideOwnRegistration(id: string, decision: 'approve' | 'refuse'): Promise<Registration> {
    return (await this.auth.authed<Registration>(this.userId(), { method: 'POST', path: `${S}/registrations/${encodeURIComponent(id)}/${decision}` })).body;
  }

  /** Checks (dry run) or imports a CSV org chart; a file with errors answers IMPORT_INVALID
   * with the report in its details. */
  async importPeople(csv: Blob, dryRun: boolean): Promise<ImportReport> {
    return (await this.auth.authed<ImportReport>(this.userId(), {
      method: 'POST', path: `${A}/imports/people?dry_run=${dryRun ? 'true' : 'false'}`, body: csv,
      headers: { 'Content-Type': 'text/csv' },
    })).body;
  }
}

/** What a newcomer does without an account (public routes): a supplier asks for one with its
 * SIRET; an invited person chooses their password with the token of their link. */
export class Onboarding {
  constructor(private readonly http: Http) {}

  async requestRegistration(request: {
    siret: string; company_name: string; email: string; full_name: string; password: string; language: 'fr' | 'en';
  }): Promise<Registration> {
    return (await this.http.send<Registration>({ method: 'POST', path: '/api/v1/onboarding/supplier-registrations', json: request })).body;
  }

  async acceptInvitation(token: string, password: string): Promise<void> {
    await this.http.send({ method: 'POST', path: '/api/v1/onboarding/invitations/accept', json: { token, password } });
  }
}
