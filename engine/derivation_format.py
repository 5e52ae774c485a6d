"""The [derivation] section: a hand derivation, entry by entry, each saying what it claims.

An entry is `name = "formula"` in the expression language, over the model's names,
`learning_rate`, `epoch` and earlier entries; or `name = { formula = "…", claims = "…" }`.
What it claims follows from its name where the name says it (`dL_dw1` is ∂L/∂w1,
`dy_hat_dz2` the local ∂y_hat/∂z2, `dW2` is ∂L/∂W2, `w1` the update of w1); any other
name says it with `claims`. A number or array written out is a value given outright,
such as one the notes' code kept from an earlier cell. Only the file's form is checked
here; names inside formulas are checked against the compiled model (`derivation.py`),
where one the model does not define is a finding, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from .data import checked, literal
from .expr import ExprError, parse_expression, parse_metric
from .limits import MAX_LENGTH
from .messages import did_you_mean, shown, type_name
from .scenario import Claim, DerivationEntry, Expression, Place, ScenarioError
from .source_map import SourceMap
from .table_checks import TableChecks

#: Names a derivation may read besides the model's: the scenario's α at that epoch, and the epoch.
BUILTINS = ("learning_rate", "epoch")
ENTRY_KEYS = {"formula", "claims"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CLAIM = re.compile(r"\s*(?:(?P<scale>.+?)\s*\*\s*)?(?P<target>[d∂]\w+\s*/\s*[d∂]\w+|\w+)\s*\Z")
_HOW = (
    'claims = "dL/dq" (a gradient), "da/db" (a local derivative), a parameter\'s name (its update) '
    'or "nothing" (a step on the way)'
)


class DerivationReader(TableChecks):
    """Reads one [derivation] table against the names the scenario defines."""

    def __init__(
        self, source: SourceMap, names: Collection[str], params: Collection[str], loss: str, reserved: Collection[str]
    ) -> None:
        super().__init__(source)
        self.names = set(names)  # data, parameters, nodes, loss and metrics
        self.params = set(params)
        self.loss = loss
        self.reserved = set(reserved) | set(BUILTINS)

    def read(self, table: dict[str, Any]) -> tuple[DerivationEntry, ...]:
        entries: list[DerivationEntry] = []
        seen: set[str] = set()
        for name, value in table.items():
            place = self.map.place(f"derivation.{name}", "derivation", name)
            self._check_name(name, place, seen)
            seen.add(name)
            entries.append(self._entry(name, value, place))
        return tuple(entries)

    def _check_name(self, name: str, place: Place, seen: set[str]) -> None:
        if not _IDENTIFIER.match(name) or name.startswith("__"):
            raise ScenarioError(
                place, f"{name!r} is not a usable name (letters, digits and _, not starting with a digit or __)"
            )
        if name in self.reserved:
            raise ScenarioError(place, f"{name!r} is a reserved word; choose another name")
        if name in seen:
            raise ScenarioError(place, f"{name!r} is defined twice in the derivation")
        if name in self.names and name not in self.params:
            raise ScenarioError(
                place,
                f"{name!r} is the model's own; a derivation entry may take a parameter's name (its update), "
                "not a node's or the data's",
            )

    def _entry(self, name: str, value: Any, place: Place) -> DerivationEntry:
        claims = None
        if isinstance(value, dict):
            self.check_keys(value, ENTRY_KEYS, f"derivation.{name}", "derivation", name)
            if not isinstance(value.get("formula"), str):
                raise ScenarioError(place, 'needs formula, an expression in quotes: { formula = "…", claims = "…" }')
            if "claims" in value:
                if not isinstance(value["claims"], str):
                    raise ScenarioError(place, f"claims must be a string, not {type_name(value['claims'])}")
                claims = value["claims"]
            formula = self._formula(name, value["formula"], place, "derivation", name, "formula")
        elif isinstance(value, str):
            formula = self._formula(name, value, place, "derivation", name)
        elif isinstance(value, (int, float, list)) and not isinstance(value, bool):
            return self._given(name, value, place)
        else:
            raise ScenarioError(place, f"must be a formula in quotes, a number or a table, not {type_name(value)}")
        claim = self._claim(name, claims, place) if claims is not None else self._named_claim(name, place)
        if claim is None:
            raise ScenarioError(place, f'say what {name!r} claims: {name} = {{ formula = "…", {_HOW} }}')
        if name in self.params and (claim.kind != "update" or claim.of != name):
            raise ScenarioError(place, f"an entry named after the parameter {name!r} claims its update")
        return DerivationEntry(name, formula, claim)

    def _given(self, name: str, value: Any, place: Place) -> DerivationEntry:
        """A number or array written out; a number named like a claim (`dz2_db2 = 1`) is that claim."""
        array = checked(literal(value, place), place)
        if not isinstance(value, list):
            claim = self._named_claim(name, place)
            if claim is not None:
                return DerivationEntry(
                    name, Expression(name, str(value), parse_expression(repr(float(value))), place), claim
                )
        text = str(value) if not isinstance(value, list) else f"an array of shape {array.shape}"
        return DerivationEntry(name, Expression(name, text, parse_expression("0"), place), Claim("nothing"), array)

    def _formula(self, name: str, text: str, place: Place, *path: str) -> Expression:
        return self.parsed(name, text, place, parse_metric, *path)  # comparisons too: the notes' masks, (Z1 > 0)

    # -- what an entry claims ----------------------------------------------------------------

    def _claim(self, name: str, text: str, place: Place) -> Claim:
        where = f"derivation.{name}.claims"
        inner = self.map.value_place(where, text, "derivation", name, "claims") if len(text) <= MAX_LENGTH else place
        if len(text) > MAX_LENGTH:
            raise ScenarioError(place, f"claims is {len(text)} characters long (at most {MAX_LENGTH})")
        if text.strip() == "nothing":
            return Claim("nothing")
        match = _CLAIM.match(text)
        if match is None:
            raise ScenarioError(inner, f"cannot read the claim {shown(text)}: {_HOW}")
        scale = None
        if match.group("scale") is not None:
            try:
                scale = Expression(name, match.group("scale"), parse_expression(match.group("scale")), inner)
            except ExprError as error:
                raise ScenarioError(inner.at_column(error.column), f"{error.message} in {shown(text)}") from None
        target = match.group("target")
        column = match.start("target")
        if "/" not in target:
            if target not in self.params:
                raise ScenarioError(
                    inner.at_column(column),
                    f"{target!r} is not a parameter, so it has no update to claim{did_you_mean(target, self.params)}",
                )
            return Claim("update", target, scale=scale)
        top, bottom = (part.strip()[1:] for part in target.split("/"))
        for part, offset in ((top, 0), (bottom, target.index("/") + 1)):
            if part not in self.names:
                raise ScenarioError(
                    inner.at_column(column + offset),
                    f"the model has no {part!r}{did_you_mean(part, self.names)}",
                )
        if top == self.loss:
            return Claim("gradient", bottom, scale=scale)
        return Claim("local", top, bottom, scale=scale)

    def _named_claim(self, name: str, place: Place) -> Claim | None:
        """The claim a name states by itself (dL_dw1, dy_hat_dz2, dW2, w1), or None if it states none.

        A name that half reads as a derivative (dy_hat_dz where the model has Z) is an error
        naming the closest name, as it most likely claims what it spells."""
        if name in self.params:
            return Claim("update", name)
        if not name.startswith("d"):
            return None
        half = None
        for split in (m.start() for m in re.finditer("_d", name)):
            top, bottom = name[1:split], name[split + 2 :]
            known_top, known_bottom = top in self.names, bottom in self.names
            if known_top and known_bottom:
                return Claim("gradient", bottom) if top == self.loss else Claim("local", top, bottom)
            if (known_top or known_bottom) and top and bottom and half is None:
                half = top if not known_top else bottom
        if name[1:] in self.names:
            return Claim("gradient", name[1:])
        if half is not None:
            raise ScenarioError(
                place,
                f"{name!r} reads as a derivative, but the model has no {half!r}{did_you_mean(half, self.names)} "
                f"(or say what it claims: {_HOW})",
            )
        return None
