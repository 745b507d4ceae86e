"""Open Pivot's packages with Anki's own library, as a learner's Anki would."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition


def open_collection(folder: Path) -> Collection:
    """A fresh, empty Anki collection in `folder`."""
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, data: bytes, folder: Path, *, scheduling: bool = False):
    """Import an .apkg as Anki's import dialog does (notes updated when the package's are
    newer; note types merged)."""
    path = folder / f"import-{len(list(folder.glob('import-*')))}.apkg"
    path.write_bytes(data)
    newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    return col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions(
            with_scheduling=scheduling, with_deck_configs=scheduling, merge_notetypes=True,
            update_notes=newer, update_notetypes=newer)))


def notes_by_question(col: Collection) -> dict:
    """Every note of the collection, keyed by its Pivot question id."""
    return {note["Question ID"]: note for note in map(col.get_note, col.find_notes(""))}
