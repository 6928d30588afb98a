"""The build mike runs when publishing: the site engine and its post-build step (site/engine.py),
then the edition's shared files moved out of it into the stage folder (shared_assets.py), which
publish commits onto gh-pages beside the edition.

    python -m explainer.editions.edition_build STAGE build --clean --config-file FILE

deploy.py writes the `mkdocs` wrapper, first on mike's PATH, that runs this.
"""

from __future__ import annotations

import sys

from pathlib import Path

from ..site import engine
from ..site.mkdocs import read_site_dir
from . import shared_assets


def main(argv: list[str]) -> int:
    stage, argv = Path(argv[0]), argv[1:]
    code = engine.main(argv)
    if code != 0 or "build" not in argv:
        return code
    shared_assets.share(read_site_dir(engine.config_file(argv)), stage)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
