"""Altair views of measures and SPC results: one theme, text descriptions with every chart."""
from __future__ import annotations

from .theme import GROUP_COLOURS, MDC, enable_offline

__all__ = ["GROUP_COLOURS", "MDC", "enable_offline"]
