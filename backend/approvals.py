"""Who decides for whom, as the workflows ask it: a thin seam over the accounts domain."""

from __future__ import annotations

from backend.accounts.services import approvees_of, can_approve_for, units_managed_by

__all__ = ("approvees_of", "can_approve_for", "units_managed_by")
