"""The code's shape (GUIDE.md): Qt only in ui/, no import cycle. import-linter checks the Qt line
in the import graph too; modules are split by concept, not by a line count (ruff, run by
``make test``, keeps the style)."""

import subprocess
import sys

import grimp


def test_lower_layers_import_without_qt():
    code = (
        "import sys\n"
        "import dictation_app.audio, dictation_app.engine, dictation_app.transcript, dictation_app.export\n"
        "import dictation_app.core.dictation, dictation_app.core.file_queue, dictation_app.core.options\n"
        "import dictation_app.core.typing, dictation_app.core.stages, dictation_app.engine.ledger\n"
        "import dictation_app.cli, dictation_app.evaluation, dictation_app.settings.ini_file\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'dictation_app.ui'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each an import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    # Every import counts, also those inside functions: two modules that import each other
    # cannot be read, tested or moved apart. (A package's __init__ importing its own
    # submodules is how a package exposes them, not a cycle of two ideas.)
    graph = grimp.build_graph("dictation_app")
    modules = set(graph.modules)
    for module in modules:
        for imported in list(graph.find_modules_directly_imported_by(module)):
            if module.startswith(imported + "."):  # a submodule importing its package
                graph.remove_import(importer=module, imported=imported)
    assert _cycles(graph, modules) == []
