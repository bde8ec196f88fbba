import { render } from "preact";
import { App } from "./app/App";
import { language } from "./app/i18n";
import { startData, syncNow } from "./app/data";
import { registerWorker } from "./app/sw-bridge";
import "./app/styles.css";

document.documentElement.lang = language.value;
void startData().catch((error: unknown) => console.error("nomade: data layer did not start", error));
render(<App />, document.getElementById("app") as HTMLElement);
void registerWorker({
  onSync: () => void syncNow(),
  onNavigate: (path) => {
    history.pushState(null, "", path);
    dispatchEvent(new PopStateEvent("popstate"));
  },
});
