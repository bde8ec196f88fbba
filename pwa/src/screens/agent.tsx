import { Page } from "../app/ui";
export default function Screens() {
  return <Page title="agent">…</Page>;
}
