from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T02:16:07:467071"
VERSION = "1.38.0"
DESCRIPTION = "claim allowance and advance"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="claims", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ExpenseClaim",
        tablename="expense_claim",
        column_name="advance_cents",
        db_column_name="advance_cents",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ExpenseClaim",
        tablename="expense_claim",
        column_name="allowance_cents",
        db_column_name="allowance_cents",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
