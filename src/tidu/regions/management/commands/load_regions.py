from typing import Any

from django.core.management.base import BaseCommand

from tidu.regions.loader import load_regions
from tidu.regions.models import Region


class Command(BaseCommand):
    help = "从 data/regions.csv 更新行政区划表（新增、改名、标记撤销；从不删除）"

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_regions(Region)
        self.stdout.write(f"行政区划：新增 {result['created']}，更新 {result['updated']}，标记撤销 {result['retired']}")
