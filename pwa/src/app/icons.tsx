/** Small inline SVG icons for the bottom navigation (decorative: the label says it). */
const paths = {
  missions: "M3 7h18v12H3zM8 7V4h8v3",
  claims: "M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6",
  approvals: "M4 12l5 5L20 6",
  orders: "M4 5h16v14H4zM8 9h8M8 13h5",
  invoices: "M6 3h9l3 3v15H6zM9 10h6M9 14h6",
  stats: "M4 20V10M10 20V4M16 20v-8M22 20H2",
  inbox: "M4 4h16v12H14l-2 3-2-3H4z",
  admin: "M4 21V6l8-3 8 3v15M9 21v-5h6v5M8 9h2M14 9h2M8 13h2M14 13h2",
  people: "M9 11a3 3 0 100-6 3 3 0 000 6zM3 20c0-3 3-5 6-5s6 2 6 5M16 5a3 3 0 010 6M18 15c2 .5 3 2.5 3 5",
  settings: "M12 8a4 4 0 100 8 4 4 0 000-8zM12 2v3M12 19v3M2 12h3M19 12h3",
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d={paths[name]} />
    </svg>
  );
}
