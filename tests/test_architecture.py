"""The plugin's layout along the data flow (docs/architecture.md).

Content files -> model (profiles, names, identities) -> linking (stories to
people and events) -> output and comments -> the build machinery -> what an
author runs. A module may import only the layers below its own (and its own
sub-package); no two modules import each other, directly or round about.
"""

import ast
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parent.parent / "plugins" / "connections"

# Lowest first. Each entry is a set of top-level units: a sub-package or a
# module directly in the plugin. Units on one line are peers: neither may
# import the other.
LAYERS = [
    {"settings", "diagnostics"},
    {"model"},
    {"linking"},
    {"comments"},
    {"output"},
    {"machinery"},
    {"configure", "build"},
    {"authoring"},
    {"importing"},
    {"__init__", "__main__"},
]
LAYER_OF = {unit: i for i, units in enumerate(LAYERS) for unit in units}


def module_name(path):
    parts = list(path.relative_to(PLUGIN).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def unit_of(module):
    return module.split(".")[0]


def imports_of(path):
    """The plugin modules `path` imports, as dotted names inside the plugin."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" and name != "__init__" else name.split(".")[:-1]
    if name == "__init__":
        package = []
    found = set()
    known = {module_name(p) for p in PLUGIN.rglob("*.py")}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{target}.{alias.name}" if target else alias.name
                if candidate in known:
                    found.add(candidate)
                elif target:
                    found.add(target)
                else:
                    found.add("__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("connections"):
            found.add(node.module.partition(".")[2] or "__init__")
    found.discard(name)
    return found


GRAPH = {module_name(p): imports_of(p) for p in sorted(PLUGIN.rglob("*.py"))}


def test_every_unit_has_a_layer():
    units = {unit_of(m) for m in GRAPH}
    assert units <= set(LAYER_OF), f"put {sorted(units - set(LAYER_OF))} in a layer here and in docs/architecture.md"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_below(module):
    here = unit_of(module)
    wrong = [
        imported for imported in sorted(GRAPH[module])
        if unit_of(imported) != here and LAYER_OF[unit_of(imported)] >= LAYER_OF[here]
    ]
    assert not wrong, f"{module} imports {wrong}, which are not below it"


def test_no_cycles():
    state = {}
    path = []

    def visit(module):
        state[module] = "open"
        path.append(module)
        for imported in GRAPH.get(module, ()):
            if state.get(imported) == "open":
                cycle = path[path.index(imported):] + [imported]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported)
        path.pop()
        state[module] = "done"

    for module in GRAPH:
        if module not in state:
            visit(module)


def test_the_graph_is_read():
    # The checks above mean something only if imports are found at all.
    assert "model.registry" in GRAPH["linking.linker"]
    assert "linking.record" in GRAPH["output.pages"]
    assert "configure" in GRAPH["authoring.check"]
