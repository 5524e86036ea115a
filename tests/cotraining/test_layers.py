"""The layers of the README, kept: an app imports only the apps below it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lowest first: an app may import the apps before it, never those after it.
LAYERS = ["programmes", "participants", "sessions", "reports", "cotraining"]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    higher = set(LAYERS[LAYERS.index(app) + 1 :])
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & higher)
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and imported_apps(path) & higher
    }
    assert wrong == {}


def test_no_module_reaches_another_apps_model_by_reflection():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "get_model(" in line or ".related_model" in line
    ]
    assert found == []
