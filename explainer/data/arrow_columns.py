"""Column operations of the fast validator (fast_validate.py): read the regular spellings of a text
column with Arrow, and find the values that break a Table Schema constraint, as array operations.

Reads: an Arrow text column and its frictionless Field. Gives typed Arrow arrays and masks; raises
Unsupported where frictionless must decide.
"""

from __future__ import annotations

import re


class Unsupported(Exception):
    """The fast path does not handle this resource; frictionless will."""


# Values of these shapes are read by Arrow exactly as frictionless reads them; any other value
# (" 12", "+5", "1e3", "2021-1-5", ...) is read by frictionless's own cell reader.
_REGULAR = {
    "integer": r"^-?[0-9]{1,18}$",
    "year": r"^[0-9]{4}$",
    "number": r"^-?[0-9]+(\.[0-9]+)?$",  # and at most 16 characters: float64 then orders like Decimal
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_CHECKS = {"minimum": "less", "maximum": "greater", "exclusiveMinimum": "less_equal", "exclusiveMaximum": "greater_equal"}


def parse(field, col, missing):
    """(typed Arrow array, mask of values read by Arrow) for one text column; the typed array is
    null where the value is missing or irregular (left to frictionless's reader)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = pc.invert(missing)
    kind = field.type
    if kind == "string":
        return pc.if_else(present, col, pa.scalar(None, pa.string())), present
    if kind == "boolean":
        true, false = [str(v) for v in field.true_values], [str(v) for v in field.false_values]
        regular = pc.and_(present, pc.is_in(col, value_set=pa.array(true + false, pa.string())))
        value = pc.invert(pc.is_in(col, value_set=pa.array(false, pa.string())))  # a value in both lists is false
        return pc.if_else(regular, value, pa.scalar(None, pa.bool_())), regular
    regular = pc.and_(present, pc.match_substring_regex(col, _REGULAR[kind]))
    if kind == "number":
        regular = pc.and_(regular, pc.less_equal(pc.utf8_length(col), 16))
    safe = pc.if_else(regular, col, pa.scalar("0" if kind != "date" else "2000-01-01"))
    if kind in ("integer", "year"):
        typed = pc.cast(safe, pa.int64())
    elif kind == "number":
        typed = pc.add(pc.cast(safe, pa.float64()), 0.0)  # -0.0 -> 0.0, as Decimal compares them
    else:
        stamp = pc.strptime(safe, format="%Y-%m-%d", unit="s", error_is_null=True)
        roundtrip = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), safe)  # no 2021-02-30, no year 0
        regular = pc.and_(regular, pc.fill_null(roundtrip, False))
        regular = pc.and_(regular, pc.invert(pc.starts_with(col, "0000")))
        typed = pc.cast(stamp, pa.date32())
    return pc.if_else(regular, typed, pa.scalar(None, typed.type)), regular


_ARROW_TYPES = {"integer": "int64", "year": "int64", "number": "float64", "date": "date32", "boolean": "bool_", "string": "string"}


def typed_array(values: list, kind: str):
    """frictionless's typed values as an Arrow array (numbers as float64; None -> null)."""
    import pyarrow as pa

    if kind == "number":
        values = [None if v is None else float(v) + 0.0 for v in values]
    return pa.array(values, getattr(pa, _ARROW_TYPES[kind])())


def fill(typed, col, special: dict, kind: str):
    """Put the values frictionless read (irregular spellings) into the typed array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = [k for k, v in special.items() if v is not None]
    if not keys:
        return typed
    values = [special[k] for k in keys]
    if kind == "number":
        values = [float(v) + 0.0 for v in values]
    idx = pc.index_in(col, value_set=pa.array(keys, pa.string()))
    filled = pc.take(pa.array(values, typed.type), idx)
    return pc.if_else(pc.is_valid(idx), filled, typed)


def constraint_fails(field, name: str, constraint, typed, col, regular):
    """Mask of values that break one constraint (frictionless's check_<name>), for regular values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_reader = field.create_value_reader()
    if name in _CHECKS:
        bound = value_reader(constraint)
        if bound is None:
            raise Unsupported("constraint")
        if field.type == "number":
            bound = float(bound)
        return getattr(pc, _CHECKS[name])(typed, pa.scalar(bound, typed.type))
    if name == "enum":
        allowed = [value_reader(v) for v in constraint]
        if field.type == "number":
            allowed = [float(v) for v in allowed if v is not None]
        return pc.invert(pc.is_in(typed, value_set=pa.array([v for v in allowed if v is not None], typed.type)))
    if name == "minLength":
        return pc.less(pc.utf8_length(col), constraint)
    if name == "maxLength":
        return pc.greater(pc.utf8_length(col), constraint)
    if name == "pattern":
        rx = re.compile("^{0}$".format(constraint))  # frictionless's own anchoring, with Python's re
        values = pc.unique(col.filter(regular))
        if len(values) > 200_000:  # many distinct values: Arrow's RE2 finds candidates, Python's re decides
            try:
                values = pc.unique(col.filter(pc.and_(regular, pc.invert(pc.match_substring_regex(col, "^{0}$".format(constraint))))))
            except pa.ArrowInvalid:
                pass
        bad = [v for v in values.to_pylist() if not rx.match(v)]
        return pc.is_in(col, value_set=pa.array(bad, pa.string()))
    raise Unsupported(name)
