"""Charts described now and built later, where they are drawn.

A report kernel that hands its charts to a helper process (see
:mod:`equitylab.reports._chart_helper`) need not build them itself: building altair objects,
and importing altair at all, took about a third of a report kernel's time. While
:func:`defer` is on, the analyses in :mod:`equitylab.profile` return a :class:`ChartRecipe`
(the chart function's name and its arguments, which pickle) instead of the chart; whoever
draws it calls :meth:`ChartRecipe.build`. Off (the default, and everywhere outside report
kernels), the chart is built at once, as before.
"""
from __future__ import annotations

import importlib

_deferred = False


class ChartRecipe:
    """A chart function (``"module:function"``, or a method of a picklable result) and its arguments."""

    __slots__ = ("make", "args", "kwargs")

    def __init__(self, make, *args, **kwargs):
        self.make = make
        self.args = args
        self.kwargs = kwargs

    def build(self):
        """The altair chart."""
        make = self.make
        if isinstance(make, str):
            module, _, name = make.partition(":")
            make = getattr(importlib.import_module(module), name)
        return make(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        name = self.make if isinstance(self.make, str) else getattr(self.make, "__qualname__", repr(self.make))
        return f"ChartRecipe({name})"


def defer(on: bool = True) -> None:
    """Return recipes instead of charts from now on (``on=False``: build charts at once again)."""
    global _deferred
    _deferred = bool(on)


def deferred() -> bool:
    return _deferred


def chart(make, *args, **kwargs):
    """``make(*args, **kwargs)`` now, or a :class:`ChartRecipe` for it while :func:`defer` is on.

    ``make`` is ``"module:function"`` (so that the module, and altair, are imported only when
    the chart is built) or a bound method such as ``SPCResult.chart``.
    """
    recipe = ChartRecipe(make, *args, **kwargs)
    return recipe if _deferred else recipe.build()
