"""`vaultkit check`: every problem the model found, plus checks of habits (a resume recorded)."""

from __future__ import annotations

from datetime import date

from vaultkit.model import Vault
from vaultkit.problems import Problem


def check_vault(vault: Vault, today: date) -> list[Problem]:
    return sorted(set(vault.problems))
