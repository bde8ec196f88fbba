"""The ``nomade`` command: migrate, init, import-people, invite, create-user, seed-demo, serve,
worker, ocr, ocr-eval, contract."""

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


def _init(args: argparse.Namespace) -> int:
    from backend.administration.commands import init_command

    return asyncio.run(init_command(args))


def _import_people(args: argparse.Namespace) -> int:
    from backend.administration.commands import import_people_command

    return asyncio.run(import_people_command(args))


def _invite(args: argparse.Namespace) -> int:
    from backend.administration.commands import invite_command

    return asyncio.run(invite_command(args))


def _load_rates(args: argparse.Namespace) -> int:
    from backend.policy.commands import load_rates_command

    return asyncio.run(load_rates_command(args))


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
    from kernel.jobs import parse_queues

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


def _contract(args: argparse.Namespace) -> int:
    from backend.contract import contract_command

    return contract_command(check=args.check, stdout=args.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nomade", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=_migrate)
    init = sub.add_parser(
        "init", help="on an empty database: the first organisation and its admin "
                     "(password read from stdin or asked)")
    init.add_argument("--organisation-name", required=True)
    init.add_argument("--organisation-siret", required=True)
    init.add_argument("--kind", default="state",
                      choices=["state", "local", "hospital", "public_company"],
                      help="sets the legal payment deadline: 30, 30, 50 or 60 days")
    init.add_argument("--code-service", default="")
    init.add_argument("--admin-email", required=True)
    init.add_argument("--admin-name", required=True)
    init.add_argument("--language", default="fr", choices=["fr", "en"])
    init.set_defaults(fn=_init)
    imp = sub.add_parser("import-people",
                         help="import an org chart and people from CSV (docs/administration.md)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true",
                     help="check and report every error by line; save nothing")
    imp.add_argument("--organisation-siret", default=None,
                     help="needed only when the database holds several organisations")
    imp.set_defaults(fn=_import_people)
    inv = sub.add_parser("invite", help="print a link with which a person chooses a password")
    inv.add_argument("email")
    inv.add_argument("--base-url", default="http://127.0.0.1:8000")
    inv.add_argument("--organisation-siret", default=None)
    inv.set_defaults(fn=_invite)
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
    rates = sub.add_parser("load-rates", help="load dated currency rates (CSV: currency,day,"
                           "eur_per_unit) for foreign-currency expenses")
    rates.add_argument("file")
    rates.add_argument("--source", default="chancellerie", help="where the rates come from")
    rates.set_defaults(fn=_load_rates)
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
    con = sub.add_parser("contract", help="generate the phone's typed contract "
                         "(pwa/src/data/contract.gen.ts) from the intent registry")
    con.add_argument("--check", action="store_true", help="fail if the committed file is stale")
    con.add_argument("--stdout", action="store_true", help="print it instead of writing it")
    con.set_defaults(fn=_contract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nomade`` command."""
    args = build_parser().parse_args(argv)
    result: int = args.fn(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
