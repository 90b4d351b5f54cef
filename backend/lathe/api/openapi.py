"""Write the OpenAPI document the TypeScript client is generated from.

python -m lathe.api.openapi frontend/openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lathe.settings import Settings


def openapi_document() -> dict[str, Any]:
    from lathe.app import create_app

    # Fixed settings so the document does not depend on who generates it or where.
    app = create_app(Settings(home=Path("/nonexistent-lathe-home"), migrate_on_start=False))
    return app.openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
