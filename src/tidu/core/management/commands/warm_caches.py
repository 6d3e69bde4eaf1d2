"""`manage.py warm_caches`: build the per-process caches now and say how long each took."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tidu.core.warmup import warm_all


class Command(BaseCommand):
    help = "预先构建场景检索索引、认定标准包等缓存，并显示各自耗时（服务启动时会在后台自动执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        results = warm_all()
        for w in results:
            line = f"{w.name}: {w.seconds:.2f} s"
            self.stdout.write(f"{line}  失败：{w.error}" if w.error else line)
        if any(w.error for w in results):
            raise CommandError("部分缓存未能预先构建（将在首次使用时构建）")
