"""Load every division of China down to county level, with the telephone area codes of each city.

The data file is cms/data/regions.json, built by scripts/build_regions.py (see the README for its
sources). Frozen here as data: later changes to the file need a migration of their own."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.json"


def load_regions(apps, schema_editor):
    Region = apps.get_model("cms", "Region")
    RegionAreaCode = apps.get_model("cms", "RegionAreaCode")
    rows = json.loads(DATA.read_text(encoding="utf-8"))["regions"]
    names = {code: name for code, name, _level, _parent, _codes in rows}
    parents = {code: parent for code, _name, _level, parent, _codes in rows}

    def full_name(code):
        parts = []
        while code:
            parts.append(names[code])
            code = parents[code]
        return "".join(reversed(parts))

    by_level = {"province": 0, "prefecture": 1, "county": 2}
    rows.sort(key=lambda row: (by_level[row[2]], row[0]))
    Region.objects.bulk_create(
        [
            Region(code=code, name=name, level=level, parent_id=parent, full_name=full_name(code))
            for code, name, level, parent, _codes in rows
        ],
        batch_size=1000,
    )
    RegionAreaCode.objects.bulk_create(
        [RegionAreaCode(region_id=code, code=area) for code, _n, _l, _p, codes in rows for area in codes],
        batch_size=1000,
    )


def unload_regions(apps, schema_editor):
    apps.get_model("cms", "RegionAreaCode").objects.all().delete()
    Region = apps.get_model("cms", "Region")
    for level in ("county", "prefecture", "province"):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_content_links")]

    operations = [migrations.RunPython(load_regions, unload_regions)]
