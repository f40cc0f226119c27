"""The wheel's compiled catalogs: each ``statusgen/locale/*/LC_MESSAGES/*.po`` as the ``.mo`` beside it.

The repository keeps only the ``.po`` files translators edit; a source checkout reads them directly
(statusgen/i18n), and a wheel ships them compiled.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._out = tempfile.TemporaryDirectory(prefix="statusgen-catalogs-")
        locale = Path(self.root) / "statusgen" / "locale"
        for source in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            relative = source.relative_to(locale).with_suffix(".mo")
            compiled = Path(self._out.name) / relative
            compiled.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as text:
                catalog = read_po(text, locale=source.parts[-3])
            with compiled.open("wb") as data:
                write_mo(data, catalog, use_fuzzy=False)
            build_data["force_include"][str(compiled)] = f"statusgen/locale/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            out.cleanup()
