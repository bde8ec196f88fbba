from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "receipt readings keep the receipt's perceptual hash (near-duplicate photos)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="expenses", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ReceiptReading",
        tablename="receipt_reading",
        column_name="perceptual_hash",
        db_column_name="perceptual_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": None,
            "null": True,
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
