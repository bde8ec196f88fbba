from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:53:32:141105"
VERSION = "1.38.0"
DESCRIPTION = "receipt readings index their perceptual hash in four bands (near duplicates)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="expenses", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ReceiptReading",
        tablename="receipt_reading",
        column_name="hash_band_0",
        db_column_name="hash_band_0",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 41,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ReceiptReading",
        tablename="receipt_reading",
        column_name="hash_band_1",
        db_column_name="hash_band_1",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 41,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ReceiptReading",
        tablename="receipt_reading",
        column_name="hash_band_2",
        db_column_name="hash_band_2",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 41,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ReceiptReading",
        tablename="receipt_reading",
        column_name="hash_band_3",
        db_column_name="hash_band_3",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 41,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
