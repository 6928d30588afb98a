"""The vectorised validator for large CSVs: frictionless' checks as pyarrow array operations.

Reads: one CSV resource (its bytes, schema and foreign keys). Gives frictionless' own error dicts
(same errors, same order, same limit) and the typed table, or None when frictionless must check it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .arrow_columns import Unsupported, constraint_fails, fill, parse, typed_array
from .errors import ERROR_LIMIT
from .positions import LINE_BREAKS, row_lines_bytes

# Validation of large resources. frictionless reads a CSV row by row in Python (about 25,000 rows
# a second here: 40 s for a million rows), so a resource with at least FAST_ROWS data rows whose
# schema and layout the vectorised checker supports is validated with pyarrow instead: the file
# is parsed once by Arrow's CSV reader (all columns as text), every check is an array operation,
# and only the cells it flags are read again, one by one, with frictionless's own cell reader, so
# messages, notes, line and column numbers are exactly those of the frictionless path (tests/
# test_scale.py runs both paths on every bad-input case and compares them). Anything the fast path
# does not support (ragged rows, blank lines, custom dialects or formats, "unique" constraints,
# datetime fields...) goes to frictionless, which is always right, only slow.
FAST_ROWS = 50_000
# A column with at most this many distinct values has each value read once by frictionless's reader.
UNIQUE_LIMIT = 50_000


_FAST_TYPES = {"string", "integer", "number", "year", "date", "boolean"}
_RESOURCE_KEYS_FOR_FRICTIONLESS = {"dialect", "hash", "bytes", "rows", "fields", "compression", "innerpath", "data", "control", "layout"}


class FastResource:
    """One large CSV resource checked with array operations (see FAST_ROWS): frictionless's checks,
    same errors, same order, same limit. open() gives None when frictionless must do it."""

    @classmethod
    def open(cls, resource, package, path: Path) -> "FastResource | None":
        try:
            return cls(resource, package, path)
        except Unsupported:
            return None

    def __init__(self, resource, package, path: Path):
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        data = path.read_bytes()
        if data.count(b"\n") < FAST_ROWS:
            raise Unsupported("small")
        raw = resource.to_descriptor()
        if (
            (raw.get("format") or "csv") != "csv"
            or not str(raw.get("path", "")).lower().endswith(".csv")
            or str(raw.get("encoding") or "utf-8").lower() not in ("utf-8", "utf8")
            or (raw.get("scheme") or "file") != "file"
            or _RESOURCE_KEYS_FOR_FRICTIONLESS & set(raw)
        ):
            raise Unsupported("resource options")
        schema = resource.schema
        self.fields = list(schema.fields)
        names = [f.name for f in self.fields]
        for f, spec in zip(self.fields, raw.get("schema", {}).get("fields", [])):
            if (
                f.type not in _FAST_TYPES
                or f.format != "default"
                or set(spec) & {"decimalChar", "groupChar", "bareNumber", "floatNumber"}
                or "unique" in f.constraints
            ):
                raise Unsupported(f"field {f.name}")
        if not set(schema.primary_key) <= set(names):
            raise Unsupported("primary key")
        for fk in schema.foreign_keys:
            ref = fk["reference"]["resource"]
            if (
                not ref
                or ref == resource.name
                or not package.has_resource(ref)
                or not set(fk["fields"]) <= set(names)
                or not set(fk["reference"]["fields"]) <= set(package.get_resource(ref).schema.field_names)
                or any(schema.get_field(name).type == "number" for name in fk["fields"])
            ):
                raise Unsupported("foreign key")  # (numbers: frictionless compares Decimals)
        # Layout: what frictionless's CSV reader would see the same way Arrow does.
        if b"\n\n" in data or b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n"):
            raise Unsupported("blank lines or bare carriage returns")
        text_head = data[: _nth(data, b"\n", 100) + 1].decode("utf-8")
        try:  # frictionless sniffs the dialect from the first 100 lines
            sniffed = csv.Sniffer().sniff(text_head, ",\t;|")
            if sniffed.delimiter != "," or sniffed.escapechar or sniffed.skipinitialspace:
                raise Unsupported("dialect")
        except csv.Error:
            pass
        header = next(csv.reader([text_head.split("\n", 1)[0]]), [])
        if header != names:
            raise Unsupported("header")  # label problems: frictionless words them
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                parse_options=pacsv.ParseOptions(
                    delimiter=",", quote_char='"', double_quote=True, escape_char=False, newlines_in_values=False, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise Unsupported("ragged rows") from None
        self.newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        n_lines = len(self.newlines) + (0 if data.endswith(b"\n") else 1)
        if table.num_rows != n_lines - 1:
            raise Unsupported("records are not lines")
        self.columns = [table.column(i).combine_chunks() for i in range(len(names))]
        self.data = data
        if b'"' in data:
            self._check_quoted_lines(np)
        # Line numbers as row_lines() counts them, unless other line breaks would shift its count.
        self.simple_lines = not any(ch.encode() in data for ch in LINE_BREAKS[2:])
        self.readers = [f.create_cell_reader() for f in self.fields]
        self.package, self.resource, self.schema = package, resource, schema
        self._check_cells()

    def _check_quoted_lines(self, np) -> None:
        """Lines with quotes: Arrow must read them as Python's csv module (and so frictionless) does."""
        quotes = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 34)
        for line in np.unique(np.searchsorted(self.newlines, quotes)):
            if line == 0:
                continue  # the header, compared already
            try:
                records = list(csv.reader([self._line_text(int(line) + 1).rstrip("\r\n")]))
            except csv.Error:
                raise Unsupported("quoted line breaks") from None
            if records != [self.cells(int(line) - 1)]:
                raise Unsupported("quoting")

    def _line_text(self, line: int) -> str:
        start = int(self.newlines[line - 2]) + 1 if line >= 2 else 0
        end = int(self.newlines[line - 1]) + 1 if line - 1 < len(self.newlines) else len(self.data)
        return self.data[start:end].decode("utf-8")

    def line_of(self, row: int) -> tuple[int, str] | None:
        """(file line, raw text) of CSV record `row` (header = 1): what row_lines() gives."""
        if not self.simple_lines:
            if not hasattr(self, "_rows"):
                self._rows = row_lines_bytes(self.data)
            return self._rows[row - 1] if row - 1 < len(self._rows) else None
        if row - 1 > len(self.newlines) or (row - 1 == len(self.newlines) and self.data.endswith(b"\n")):
            return None
        return row, self._line_text(row)

    def cells(self, i: int) -> list[str]:
        return [col[i].as_py() for col in self.columns]

    # -- the checks ---------------------------------------------------------------------------

    def _check_cells(self) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(self.columns[0])
        self.typed: list = []  # per field: Arrow array of typed values, null if missing or invalid
        suspect = np.zeros(n, dtype=bool)
        blank = np.ones(n, dtype=bool)
        for f, col, reader in zip(self.fields, self.columns, self.readers):
            enc = pc.dictionary_encode(col)
            if len(enc.dictionary) <= UNIQUE_LIMIT:
                # Few distinct values (the usual case: dates, categories, rounded numbers): frictionless's
                # own reader reads each distinct value once, so every check is exactly its own.
                idx = enc.indices.to_numpy(zero_copy_only=False)
                targets, err_u, blank_u = [], [], []
                for value in enc.dictionary.to_pylist():
                    target, notes = reader(value)
                    targets.append(target)
                    err_u.append(bool(notes))
                    blank_u.append(target is None and not (notes and "type" in notes))
                suspect |= np.array(err_u, dtype=bool)[idx]
                blank &= np.array(blank_u, dtype=bool)[idx]
                try:
                    typed = pc.take(typed_array(targets, f.type), enc.indices)
                except (pa.ArrowInvalid, OverflowError, TypeError):
                    raise Unsupported("value out of range") from None
                self.typed.append(typed)
                continue
            # Many distinct values: Arrow reads the regular spellings, frictionless the others.
            mv = f.missing_values if f.has_defined("missing_values") or not f.schema else f.schema.missing_values
            missing = pc.is_in(col, value_set=pa.array([str(v) for v in mv], pa.string()))
            typed, regular = parse(f, col, missing)
            irregular = pc.and_(pc.invert(missing), pc.invert(regular))
            special = {}
            bad = []
            for value in pc.unique(col.filter(irregular)).to_pylist():
                target, notes = reader(value)
                special[value] = target
                if notes:
                    bad.append(value)
            if special:
                try:
                    typed = fill(typed, col, special, f.type)
                except (pa.ArrowInvalid, OverflowError, TypeError):
                    raise Unsupported("value out of range") from None
            err = pc.and_(irregular, pc.is_in(col, value_set=pa.array(bad, pa.string())))
            if f.constraints.get("required"):
                err = pc.or_(err, missing)
            for name in f.supported_constraints:
                if name == "required" or f.constraints.get(name) is None:
                    continue
                fail = constraint_fails(f, name, f.constraints[name], typed, col, regular)
                err = pc.or_(err, pc.and_(regular, pc.fill_null(fail, False)))
            suspect |= err.to_numpy(zero_copy_only=False)
            blank &= missing.to_numpy(zero_copy_only=False)
            self.typed.append(typed)
        self.blank = blank
        suspect |= blank
        self.pk_note: dict[int, str] = {}
        pk = list(self.schema.primary_key)
        if pk:
            self._check_primary_key(pk, np)
            suspect[list(self.pk_note)] = True
        self.fk_bad: list = []
        for fk in self.schema.foreign_keys:
            bad = self._check_foreign_key(fk, np)
            self.fk_bad.append(bad)
            suspect |= bad
        self.suspect = np.flatnonzero(suspect)

    def _codes(self, name: str, np):
        """Per row, an integer that is equal for equal typed values (-1: no value), as frictionless
        compares keys; and the typed value of each code."""
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(self.typed[[f.name for f in self.fields].index(name)])
        return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()

    def _check_primary_key(self, pk: list[str], np) -> None:
        codes = np.stack([self._codes(name, np)[0] for name in pk], axis=1)
        all_none = (codes == -1).all(axis=1)
        for i in np.flatnonzero(all_none):
            self.pk_note[int(i)] = 'cells composing the primary keys are all "None"'
        keyed = np.flatnonzero(~all_none)
        frame = pd.DataFrame(codes[keyed], columns=[f"k{j}" for j in range(len(pk))])
        dup = frame.duplicated(keep=False).to_numpy()
        if dup.any():
            rows = keyed[dup]
            groups = frame[dup].groupby(list(frame.columns), sort=False).ngroup().to_numpy()
            order = np.lexsort((rows, groups))
            rows, groups = rows[order], groups[order]
            for k in np.flatnonzero(groups[1:] == groups[:-1]) + 1:  # every later row: the same as the one before it
                self.pk_note[int(rows[k])] = f"the same as in the row at position {int(rows[k - 1]) + 2}"

    def _lookup(self, fk) -> set:
        """The referenced rows' key tuples, as frictionless builds its lookup."""
        source = self.package.get_resource(fk["reference"]["resource"]).to_copy()
        if source.schema:
            source.schema.foreign_keys = []
        key = fk["reference"]["fields"]
        found = set()
        with source:
            for row in source.row_stream:
                cells = tuple(row.get(name) for name in key)
                if set(cells) != {None}:
                    found.add(cells)
        return found

    def _check_foreign_key(self, fk, np):
        coded = [self._codes(name, np) for name in fk["fields"]]
        codes = np.stack([c for c, _ in coded], axis=1)
        dictionaries = [d for _, d in coded]
        lookup = self._lookup(fk)
        # One integer per distinct key (codes are small: mixed radix), then each distinct key once.
        combined = np.zeros(len(codes), dtype=np.int64)
        for j, d in enumerate(dictionaries):
            combined = combined * (len(d) + 1) + (codes[:, j] + 1)
        inverse, keys = pd.factorize(combined)
        first = np.zeros(len(keys), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]  # a row holding each distinct key
        bad_key = np.zeros(len(keys), dtype=bool)
        for k, row in enumerate(first):
            cells = tuple(None if code < 0 else dictionaries[j][code] for j, code in enumerate(codes[row]))
            if set(cells) != {None} and cells not in lookup:
                bad_key[k] = True
        return bad_key[inverse]

    def errors(self) -> list[dict]:
        """frictionless's error dicts for this resource, in its order, up to ERROR_LIMIT."""
        out: list[dict] = []
        for i in map(int, self.suspect):
            row_number = i + 2
            cells = self.cells(i)
            errs, blanks, values = [], 0, {}
            for j, (f, reader, cell) in enumerate(zip(self.fields, self.readers, cells)):
                target, notes = reader(cell)
                values[f.name] = target
                type_note = notes.pop("type", None) if notes else None
                if target is None and not type_note:
                    blanks += 1
                base = {"rowNumber": row_number, "cell": str(cell), "fieldName": f.name, "fieldNumber": j + 1}
                if type_note:
                    errs.append({"type": "type-error", "note": type_note, **base})
                for note in (notes or {}).values():
                    errs.append({"type": "constraint-error", "note": note, **base})
            if blanks == len(self.fields):
                errs = [{"type": "blank-row", "rowNumber": row_number, "note": ""}]
            if i in self.pk_note:
                errs.append({"type": "primary-key", "rowNumber": row_number, "note": self.pk_note[i]})
            for fk, bad in zip(self.schema.foreign_keys, self.fk_bad):
                if bad[i]:
                    cells_fk = tuple(values[name] for name in fk["fields"])
                    note = 'for "%s": values "%s" not found in the lookup table "%s" as "%s"' % (
                        ", ".join(fk["fields"]),
                        ", ".join(str(d) for d in cells_fk),
                        fk["reference"]["resource"],
                        ", ".join(fk["reference"]["fields"]),
                    )
                    errs.append({"type": "foreign-key", "rowNumber": row_number, "note": note})
            out += errs
            if len(out) >= ERROR_LIMIT:
                return out[:ERROR_LIMIT]
        return out

    def frame(self) -> pd.DataFrame:
        """The table typed as read_table() types it, from the arrays already read."""
        import pyarrow as pa
        import pyarrow.compute as pc

        out = {}
        for f, typed in zip(self.fields, self.typed):
            if f.type in ("integer", "year"):
                out[f.name] = typed.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
            elif f.type == "number":
                out[f.name] = pd.Series(typed.to_numpy(zero_copy_only=False), dtype="float64")
            elif f.type == "date":
                out[f.name] = pd.Series(pc.cast(typed, pa.timestamp("us")).to_numpy(zero_copy_only=False))
            elif f.type == "boolean":
                out[f.name] = pd.Series(typed.to_pylist(), dtype="boolean")
            else:  # text: Python strings (one object per distinct value), None where missing
                values = pd.Series(pc.dictionary_encode(typed).to_pandas()).astype("object")
                out[f.name] = values.where(values.notna(), None)
        return pd.DataFrame(out)


def _nth(data: bytes, sep: bytes, n: int) -> int:
    """Offset of the n-th separator (or the end)."""
    pos = -1
    for _ in range(n):
        nxt = data.find(sep, pos + 1)
        if nxt < 0:
            return len(data)
        pos = nxt
    return pos
