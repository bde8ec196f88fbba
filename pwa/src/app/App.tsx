/** The app: sign-in gate, shell (header, main, bottom navigation) and routes. Screens other
 * than sign-in load on demand so the first load stays small. */
import { LocationProvider, Router, Route, lazy, useLocation } from "preact-iso";
import { useEffect } from "preact/hooks";
import { signal } from "@preact/signals";
import { session, locked, expired, ready, online, pendingCount, rejections, syncNow, requestPersistentStorage, storageFull, updateRequired, demo, unreadCount, refreshUnread, lastSyncAt, chooseLanguage, closeDecidedNotifications, deployedScripts } from "./data";
import { dictionaryReady, holdLanguageSwitches, language, loadDictionary, pendingText, t } from "./i18n";
import { Icon, type IconName } from "./icons";
import { SignIn } from "../screens/SignIn";
import Pin from "../screens/Pin";
import { useIdleLock } from "./idle";
import { updateReady, applyUpdate, dismissUpdate, needsIosInstallCoaching } from "./sw-bridge";
import { browserNetwork, newVersionNeeded, retrying as retryingLoad } from "./screen-code";
import type { MessageKey } from "./i18n";
import type { Role } from "./model";

/** Each screen's code: fetched again after a failure, or a new version offered when the server
 * has moved on to another build (./screen-code.ts). */
const network = browserNetwork(deployedScripts);
const retrying = <T,>(load: () => Promise<T>): (() => Promise<T>) => retryingLoad(load, network);
/** The screen a module loaded on demand exports as `name`. */
const screen = <M, K extends keyof M>(load: () => Promise<M>, name: K) =>
  lazy(retrying(() => load().then((m) => m[name])));

const agent = () => import("../screens/agent");
const manager = () => import("../screens/manager");
const supplier = () => import("../screens/supplier");
const everyone = () => import("../screens/everyone");
const admin = () => import("../screens/admin");
const onboardingScreens = () => import("../screens/onboarding");
const MissionList = screen(agent, "MissionList");
const MissionNew = screen(agent, "MissionNew");
const MissionDetail = screen(agent, "MissionDetail");
const MissionEdit = screen(agent, "MissionEdit");
const ClaimList = screen(agent, "ClaimList");
const ClaimDetail = screen(agent, "ClaimDetail");
const LineEditor = screen(agent, "LineEditor");
const ApprovalsInbox = screen(manager, "ApprovalsInbox");
const Delegations = screen(() => import("../screens/delegations"), "Delegations");
const DecisionScreen = screen(() => import("../screens/decision"), "DecisionScreen");
const OrderList = screen(manager, "OrderList");
const OrderDetail = screen(manager, "OrderDetail");
const InvoiceList = screen(supplier, "InvoiceList");
const InvoiceDetail = screen(supplier, "InvoiceDetail");
const Statistics = screen(supplier, "Statistics");
const AdminHome = screen(admin, "AdminHome");
const AdminUnits = screen(admin, "AdminUnits");
const AdminPeople = screen(admin, "AdminPeople");
const AdminImport = screen(admin, "AdminImport");
const AdminSuppliers = screen(admin, "AdminSuppliers");
const AdminKeys = screen(admin, "AdminKeys");
const AdminRules = screen(() => import("../screens/admin-rules"), "AdminRules");
const AdminCompanies = screen(() => import("../screens/admin-companies"), "AdminCompanies");
const AdminOrganisations = screen(() => import("../screens/admin-organisations"), "AdminOrganisations");
const CompanyRequests = screen(() => import("../screens/supplier-admin"), "CompanyRequests");
const SupplierRegistration = screen(onboardingScreens, "SupplierRegistration");
const AcceptInvitation = screen(onboardingScreens, "AcceptInvitation");
const Inbox = screen(everyone, "Inbox");
const Settings = screen(everyone, "Settings");
const Devices = screen(everyone, "Devices");
const VehicleSettings = screen(() => import("../screens/vehicle"), "VehicleSettings");
const SyncStatus = screen(everyone, "SyncStatus");
const Accessibility = lazy(retrying(() => import("../screens/Accessibility")));

/** Each role's screens, loaded once the shell shows and the phone is idle: a tap then shows the
 * next screen at once, instead of the router keeping the previous one while its code loads. */
const SCREENS: Record<Role, { preload: () => Promise<unknown> }[]> = {
  agent: [MissionList, MissionNew, MissionDetail, MissionEdit, ClaimList, ClaimDetail, LineEditor, VehicleSettings],
  manager: [ApprovalsInbox, DecisionScreen, Delegations, OrderList, OrderDetail],
  supplier: [InvoiceList, InvoiceDetail, Statistics, CompanyRequests],
  back_office: [],
  admin: [AdminHome, AdminUnits, AdminPeople, AdminImport, AdminSuppliers, AdminKeys, AdminRules, AdminCompanies, AdminOrganisations],
};
const EVERYONE_SCREENS = [Inbox, Settings, Devices, SyncStatus];

function preloadScreens(role: Role): () => void {
  const run = () => {
    // Offline, a screen whose code is not cached yet would only wait for the network.
    if (!online.peek()) return;
    for (const screen of [...SCREENS[role], ...EVERYONE_SCREENS]) void screen.preload().catch(() => undefined);
  };
  if ("requestIdleCallback" in globalThis) {
    const id = requestIdleCallback(run, { timeout: 3_000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(run, 1_000);
  return () => clearTimeout(id);
}

/** A tapped screen whose code is still loading: "Loading…" is said, and the main region (empty,
 * or the previous screen dimmed) is marked busy for screen readers. */
const screenLoading = signal(false);

const pinOffered = signal<string>(localStorage.getItem("nomade.pinOffered") ?? "");
const iosCoachingDismissed = signal<boolean>(localStorage.getItem("nomade.iosCoached") === "1");

interface Tab { href: string; label: MessageKey; icon: IconName }
const TABS: Record<Role, Tab[]> = {
  agent: [{ href: "/missions", label: "nav.missions", icon: "missions" }, { href: "/claims", label: "nav.claims", icon: "claims" }],
  manager: [{ href: "/approvals", label: "nav.approvals", icon: "approvals" }, { href: "/orders", label: "nav.orders", icon: "orders" }],
  supplier: [{ href: "/invoices", label: "nav.invoices", icon: "invoices" }, { href: "/stats", label: "nav.stats", icon: "stats" }],
  back_office: [],
  admin: [{ href: "/admin", label: "nav.admin", icon: "admin" }, { href: "/admin/people", label: "nav.people", icon: "people" }],
};
const COMMON: Tab[] = [{ href: "/inbox", label: "nav.inbox", icon: "inbox" }, { href: "/settings", label: "nav.settings", icon: "settings" }];

function homeOf(role: Role): string {
  return TABS[role][0]?.href ?? "/inbox";
}

function BottomNav({ role }: { role: Role }) {
  const { path } = useLocation();
  const tabs = [...TABS[role], ...COMMON];
  // The tab whose address is the longest prefix of the page's ("/admin/people" is not "/admin").
  const current = tabs.filter((tab) => path === tab.href || path.startsWith(`${tab.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <nav class="tabs" aria-label={t("nav.main")}>
      <ul>
        {tabs.map((tab) => (
          <li key={tab.href}>
            <a href={tab.href} aria-current={tab.href === current ? "page" : undefined}>
              <Icon name={tab.icon} />
              {t(tab.label)}
              {tab.href === "/inbox" && unreadCount.value > 0 && (
                <><span class="count" aria-hidden="true">{unreadCount.value}</span><span class="sr-only">{t("inbox.unreadCount", { n: unreadCount.value })}</span></>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Banners() {
  return (
    <>
      {newVersionNeeded.value ? (
        <div class="banner" role="alert">
          <span>{t("update.needed")}</span>
          <button type="button" onClick={applyUpdate}>{t("update.apply")}</button>
        </div>
      ) : (<>
        {updateRequired.value && !updateReady.value && <p class="alert" role="status" style="margin:0;border-radius:0">{t("update.required")}</p>}
        {updateReady.value && (
          <div class="banner" role="status">
            <span>{t("update.available")}</span>
            <button type="button" onClick={applyUpdate}>{t("update.apply")}</button>
            <button type="button" class="link" onClick={dismissUpdate}>{t("update.later")}</button>
          </div>
        )}
      </>)}
      {!iosCoachingDismissed.value && needsIosInstallCoaching() && (
        <div class="banner" role="region" aria-label={t("install.iosTitle")}>
          <span><strong>{t("install.iosTitle")}</strong> — {t("install.iosSteps")}</span>
          <button type="button" onClick={() => { iosCoachingDismissed.value = true; localStorage.setItem("nomade.iosCoached", "1"); }}>
            {t("install.dismiss")}
          </button>
        </div>
      )}
      {!online.value && <p class="alert info" role="status" style="margin:0;border-radius:0">{t("common.offline")}</p>}
      {storageFull.value && <p class="alert bad" role="alert" style="margin:0;border-radius:0">{t("error.storageFull")}</p>}
      {demo && <p class="alert" style="margin:0;border-radius:0">{t("app.demo")}</p>}
    </>
  );
}

function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

function Shell({ role }: { role: Role }) {
  useIdleLock();
  useEffect(() => {
    void requestPersistentStorage();
    void syncNow();
    void refreshUnread();
    void chooseLanguage(language.peek());
    holdLanguageSwitches(true);
    const onVisible = () => document.visibilityState === "visible" && void syncNow();
    document.addEventListener("visibilitychange", onVisible);
    return () => { holdLanguageSwitches(false); document.removeEventListener("visibilitychange", onVisible); };
  }, []);
  useEffect(() => preloadScreens(role), [role]);
  useEffect(() => { void refreshUnread(); void closeDecidedNotifications(); }, [lastSyncAt.value]);
  // A screen whose code is gone from the server never arrives: the update banner says so.
  const loading = screenLoading.value && !newVersionNeeded.value;
  return (
    <>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header class="top">
        <span class="brand">{t("app.name")}</span>
        <a class={`badge ${rejections.value.length ? "bad" : pendingCount.value ? "warn" : ""}`} href="/sync">
          {rejections.value.length
            ? t(rejections.value.some((r) => r.kind !== "conflict") ? "sync.refusedCount" : "sync.checkCount", { n: rejections.value.length })
            : pendingCount.value ? pendingText(pendingCount.value) : t("sync.upToDate")}
        </a>
      </header>
      <Banners />
      {loading && <p class="muted loading" role="status">{t("common.loading")}</p>}
      <main id="main" tabIndex={-1} aria-busy={loading ? "true" : undefined}>
        <Router onLoadStart={() => { screenLoading.value = true; }} onLoadEnd={() => { screenLoading.value = false; }}>
          <Route path="/" component={() => <Redirect to={homeOf(role)} />} />
          <Route path="/missions" component={MissionList} />
          <Route path="/missions/new" component={MissionNew} />
          <Route path="/missions/:id" component={MissionDetail} />
          <Route path="/missions/:id/edit" component={MissionEdit} />
          <Route path="/claims" component={ClaimList} />
          <Route path="/claims/:id" component={ClaimDetail} />
          <Route path="/claims/:id/lines/new" component={LineEditor} />
          <Route path="/claims/:id/lines/:lineId" component={LineEditor} />
          <Route path="/approvals" component={ApprovalsInbox} />
          <Route path="/approvals/:kind/:id" component={DecisionScreen} />
          <Route path="/delegations" component={Delegations} />
          <Route path="/orders" component={OrderList} />
          <Route path="/orders/:id" component={OrderDetail} />
          <Route path="/invoices" component={InvoiceList} />
          <Route path="/invoices/:id" component={InvoiceDetail} />
          <Route path="/stats" component={Statistics} />
          <Route path="/admin" component={AdminHome} />
          <Route path="/admin/units" component={AdminUnits} />
          <Route path="/admin/people" component={AdminPeople} />
          <Route path="/admin/import" component={AdminImport} />
          <Route path="/admin/suppliers" component={AdminSuppliers} />
          <Route path="/admin/keys" component={AdminKeys} />
          <Route path="/admin/rules" component={AdminRules} />
          <Route path="/admin/companies" component={AdminCompanies} />
          <Route path="/admin/organisations" component={AdminOrganisations} />
          <Route path="/company/requests" component={CompanyRequests} />
          <Route path="/inbox" component={Inbox} />
          <Route path="/settings" component={Settings} />
          <Route path="/settings/devices" component={Devices} />
          <Route path="/settings/vehicle" component={VehicleSettings} />
          <Route path="/sync" component={SyncStatus} />
          <Route path="/accessibility" component={Accessibility} />
          <Route default component={() => <Redirect to={homeOf(role)} />} />
        </Router>
      </main>
      <BottomNav role={role} />
    </>
  );
}

/** The accessibility statement, readable before signing in (the sign-in page links to it). */
function PublicStatement() {
  return (
    <main id="main">
      <Router>
        <Route path="/accessibility" component={Accessibility} />
        <Route default component={Accessibility} />
      </Router>
      <p><a href="/">{t("a11y.back")}</a></p>
    </main>
  );
}

/** A moment on the first visit: screens past sign-in wait for the full dictionary so no label is
 * ever empty (retried every few seconds should it fail to load). */
function AwaitDictionary() {
  useEffect(() => {
    let timer = 0;
    const load = (): void => {
      loadDictionary(language.value).catch(() => { timer = window.setTimeout(load, 3000); });
    };
    load();
    return () => clearTimeout(timer);
  }, [language.value]);
  return <main id="main" aria-busy="true"><p role="status">{t("common.loading")}</p></main>;
}

function Gate() {
  const { path } = useLocation();
  if (!ready.value) return <main id="main"><p role="status">{t("common.loading")}</p></main>;
  const s = session.value;
  const words = dictionaryReady.value;
  if (path === "/accessibility" && (!s || expired.value || locked.value)) return words ? <PublicStatement /> : <AwaitDictionary />;
  if (!s || expired.value) {
    if (!words && (path === "/register" || path === "/invitation")) return <AwaitDictionary />;
    // Before any account: a supplier's request, or an invitation link (/invitation#token).
    return (
      <main id="main">
        <Router>
          <Route path="/register" component={SupplierRegistration} />
          <Route path="/invitation" component={AcceptInvitation} />
          <Route default component={SignIn} />
        </Router>
      </main>
    );
  }
  if (locked.value) return <main id="main"><Pin mode="unlock" /></main>;
  if (pinOffered.value !== s.user.id) {
    // Offered once per user on this phone, right after the first sign-in.
    const done = () => { pinOffered.value = s.user.id; localStorage.setItem("nomade.pinOffered", s.user.id); };
    return <main id="main"><Pin mode="setup" onDone={done} /></main>;
  }
  return words ? <Shell role={s.user.role} /> : <AwaitDictionary />;
}

export function App() {
  return (
    <LocationProvider>
      <Gate />
    </LocationProvider>
  );
}
