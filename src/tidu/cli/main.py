"""The `tidu` command: `tidu evaluate` (batch evaluation of files) and `tidu synth` (synthetic register).

argparse from the standard library: two subcommands need no framework (docs/decisions/0020).
No Django here: the CLI works on files, and on PostgreSQL through psycopg.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from tidu.cli.evaluate import ENGINES, STANDARDS, Options, UsageError, parse_editions, parse_standards, run


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 2025-06-30，而不是“{text}”") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tidu", description="梯度：优质中小企业梯度培育平台命令行工具")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser(
        "evaluate",
        help="批量评价企业年度数据（CSV/Excel/Parquet/JSONL）",
        description="Evaluate firm-years against every standard. INPUT: .csv .xlsx .parquet .jsonl "
        "(or db:[YEAR] with --engine postgres: the platform register). Output by extension of -o; "
        "CSV on stdout without -o. Exit status 1 when any row failed validation, 2 on bad usage.",
    )
    ev.add_argument("input", metavar="INPUT")
    ev.add_argument(
        "-o", "--output", metavar="OUTPUT", help="结果文件（.csv .xlsx .parquet .jsonl），缺省输出到标准输出"
    )
    ev.add_argument("--standards", metavar="IDS", help=f"逗号分隔的标准，缺省全部：{','.join(STANDARDS)}")
    ev.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="缺省 auto：千行以内用 python，否则用 duckdb（结果相同）",
    )
    ev.add_argument(
        "--edition",
        action="append",
        metavar="ID=ED",
        help="强制使用某版标准，如 specialized_sme=2022（可重复）",
    )
    ev.add_argument("--errors", metavar="FILE", help="错误清单 CSV（缺省：输出文件旁的 <名>.errors.csv）")
    ev.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="评价日（缺省：上海今天），决定缺省的 as_of"
    )
    ev.add_argument("--packs", metavar="DIR", help="标准包目录（缺省：仓库的 packs/）")
    ev.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="进度条（标准错误输出；auto：1万行以上显示）",
    )
    ev.add_argument("--spark-master", default="local[*]", metavar="URL", help="Spark master（缺省 local[*]）")
    ev.add_argument("--database-url", metavar="URL", help="PostgreSQL 连接串（缺省：TIDU_DATABASE_URL）")
    ev.add_argument("--threads", type=int, metavar="N", help="DuckDB 线程数（缺省：全部核）")
    ev.add_argument(
        "--memory-limit",
        default="2GB",
        metavar="SIZE",
        help="DuckDB 内存上限，超出部分写入临时文件（缺省 2GB；如 4GB、500MB）",
    )

    sy = sub.add_parser(
        "synth",
        help="生成合成企业年度数据（用于测试与基准）",
        description="Write a synthetic register of firm-years, deterministic for a seed (docs/synth.md).",
    )
    sy.add_argument("--firms", type=int, required=True, metavar="N")
    sy.add_argument("--seed", type=int, default=0, metavar="S")
    sy.add_argument("--years", type=int, default=1, metavar="K", help="每家企业的评价年度数（缺省 1）")
    sy.add_argument(
        "--first-year", type=int, default=2024, metavar="YEAR", help="第一个评价年度（缺省 2024）"
    )
    sy.add_argument("-o", "--output", required=True, metavar="FILE", help=".parquet .csv .jsonl .xlsx")
    sy.add_argument(
        "--latent", action="store_true", help="保留 latent_rung 列（抽样时的梯度层级，供校准与基准使用）"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "evaluate":
        try:
            opts = Options(
                input=args.input,
                output=args.output,
                standards=parse_standards(args.standards),
                engine=args.engine,
                editions=parse_editions(args.edition),
                errors=args.errors,
                today=args.today,
                packs_dir=args.packs,
                progress=args.progress,
                spark_master=args.spark_master,
                database_url=args.database_url,
                threads=args.threads,
                memory_limit=args.memory_limit,
            )
        except UsageError as exc:
            print(f"tidu evaluate: 错误：{exc}", file=sys.stderr)
            return 2
        return run(opts)
    from tidu.cli.synth import write_synth

    if args.firms < 1 or args.years < 1:
        parser.error("--firms 与 --years 须为正整数")
    n = write_synth(
        args.output,
        firms=args.firms,
        seed=args.seed,
        years=args.years,
        first_year=args.first_year,
        latent=args.latent,
    )
    print(f"已生成 {n} 行企业年度数据：{args.output} ({n} firm-years)", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
