"""Reading .xlsx files where openpyxl alone reads wrong: formula cells without a saved result (no Django).

A workbook written by a program (openpyxl, pandas) holds formulas without a cached result; openpyxl reads
such a cell as None, the same as a blank one. The web importers (`tidu.enterprises.imports`, the scenario
library) and `tidu evaluate` (`tidu.cli.io`) both ask `unsaved_formulas` where those cells are and report
them as formulas, not as missing values (decision 0113). This module imports neither Django nor the app, so
the file-only CLI can use it.
"""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path
from typing import IO
from xml.etree import ElementTree  # expat ≥ 2.4 bounds entity expansion; external entities are never fetched

_STRING_TYPES = {"str", "s", "inlineStr"}  # a saved empty string result is <v></v> with one of these types


def unsaved_formulas(workbook: str | Path | IO[bytes], sheet_path: str) -> set[tuple[int, int]]:
    """(row number, 0-based column) of every formula cell of the sheet without a saved result: `<f>` with no
    `<v>`, or an empty `<v/>` on a cell that is not a string (openpyxl writes formulas so). `workbook` is the
    file (path or binary stream), `sheet_path` the sheet's member (openpyxl's `sheet._worksheet_path`).
    Streamed; a sheet without any `<f` is not parsed at all."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string  # with the workbook only
    from openpyxl.utils.exceptions import CellCoordinatesException

    if not sheet_path:
        return set()
    member = sheet_path.lstrip("/")
    with zipfile.ZipFile(workbook) as archive:
        try:
            handle = archive.open(member)
        except KeyError:
            return set()
        with handle:
            tail = b""
            while chunk := handle.read(1 << 20):
                if b"<f" in tail + chunk or b":f" in tail + chunk:  # <f …> or a prefixed <x:f …>
                    break
                tail = chunk[-3:]
            else:
                return set()
        found: set[tuple[int, int]] = set()
        with archive.open(member) as handle:
            for _event, element in ElementTree.iterparse(handle, events=("end",)):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "c":
                    children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                    saved = children.get("v")
                    if "f" in children and (saved is None or (not saved.text and element.get("t") not in _STRING_TYPES)):
                        with contextlib.suppress(CellCoordinatesException, ValueError):  # a cell without a valid reference
                            letters, row = coordinate_from_string(element.get("r", ""))
                            found.add((row, column_index_from_string(letters) - 1))
                    element.clear()
                elif tag == "row":
                    element.clear()
        return found
