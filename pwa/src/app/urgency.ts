/** Order of the manager's approvals inbox: requests with a deadline first (soonest first, as
 * a held fare expires within hours), then the oldest waiting requests. */
import type { Approval } from "./model";

export const URGENT_WITHIN_MS = 24 * 3_600_000;

export function byUrgency(a: Approval, b: Approval): number {
  if (a.deadline && b.deadline) return a.deadline.localeCompare(b.deadline);
  if (a.deadline) return -1;
  if (b.deadline) return 1;
  return a.submitted_at.localeCompare(b.submitted_at);
}

export function isUrgent(approval: Approval, now: number = Date.now()): boolean {
  return approval.deadline !== undefined && Date.parse(approval.deadline) - now < URGENT_WITHIN_MS;
}
