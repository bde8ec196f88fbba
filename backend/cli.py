"""The ``nomade`` command: migrate, create-user, seed-demo, serve, worker, ocr, ocr-eval."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

__all__ = ("main",)


def _migrate(_: argparse.Namespace) -> int:
    from backend.migrate import migrate

    asyncio.run(migrate())
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from backend.accounts.commands import create_user

    return asyncio.run(create_user(args))


def _seed_demo(_: argparse.Namespace) -> int:
    from backend.seed import seed_demo

    asyncio.run(seed_demo())
    return 0


def _serve(args: argparse.Namespace) -> int:
    from backend.serve import serve

    return serve(host=args.host, port=args.port, workers=args.workers)


def _worker(args: argparse.Namespace) -> int:
    from backend.worker import run_worker

    return run_worker(args.queues)


def _queues(text: str) -> tuple[str, ...]:
    from backend.jobs import parse_queues

    try:
        return parse_queues(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _ocr(args: argparse.Namespace) -> int:
    from ocr.cli import ocr_file

    return ocr_file(args.file)


def _ocr_eval(args: argparse.Namespace) -> int:
    from ocr.cli import ocr_eval

    return ocr_eval(args.dir, json_out=args.json, baseline=args.baseline)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nomade", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=_migrate)
    create = sub.add_parser("create-user", help="create a user (password read from stdin or asked)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", required=True, choices=["agent", "manager", "supplier", "back_office", "admin"]
    )
    create.add_argument("--organisation-siret", default=None)
    create.add_argument("--unit", default=None, help="unit name within the organisation")
    create.add_argument("--supplier-siret", default=None)
    create.add_argument("--language", default="fr", choices=["fr", "en"])
    create.set_defaults(fn=_create_user)
    sub.add_parser("seed-demo", help="create (or complete) the demo organisation").set_defaults(
        fn=_seed_demo
    )
    serve = sub.add_parser("serve", help="serve the API and the phone app")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(fn=_serve)
    worker = sub.add_parser("worker", help="run background jobs from Redis")
    worker.add_argument(
        "--queues", type=_queues, default="",
        help="comma-separated queues to serve: default (push delivery, housekeeping), ocr "
             "(receipt readings); all when omitted")
    worker.set_defaults(fn=_worker)
    ocr = sub.add_parser("ocr", help="read a receipt image and print its fields as JSON")
    ocr.add_argument("file")
    ocr.set_defaults(fn=_ocr)
    ev = sub.add_parser("ocr-eval", help="measure OCR accuracy and latency on a folder")
    ev.add_argument("dir")
    ev.add_argument("--json", default=None, help="also write the figures to this JSON file")
    ev.add_argument(
        "--baseline", action="store_true", help="also measure plain tesseract + regexes"
    )
    ev.set_defaults(fn=_ocr_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nomade`` command."""
    args = build_parser().parse_args(argv)
    result: int = args.fn(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
