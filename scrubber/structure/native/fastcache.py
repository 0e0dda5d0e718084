"""The generated fast tests of every segment node, compiled once per machine and kept on disk.

Compiling them is most of what a process spends on the native check before its first claim
(15 ms for the 30-odd nodes a file meets). So the first process compiles all of them and
writes the code objects with marshal beside the grammar cache; later ones load that file (about
2 ms) and only ``exec`` a test when its node first comes up. The file is keyed by the grammar,
by this generator's own source and by the interpreter's bytecode version; one that cannot be
read is rebuilt, never fatal. Where the cache cannot be written, nothing is compiled ahead. The
file is trusted as the grammar's pickle beside it is: both live in the user's own cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
from pathlib import Path
from types import CodeType

import structlog

from scrubber.structure.native import fastpath, values
from scrubber.structure.native.fastpath import Compiled, compiled
from scrubber.structure.native.grammar import SEGMENT, Grammar, cache_dir, cache_writable, write_cache_file

log = structlog.get_logger("scrubber.structure.native")


def cache_path(grammar: Grammar) -> Path:
    """Where the compiled tests of ``grammar`` are kept (the generator's sources are in the key)."""
    digest = hashlib.sha256(grammar.source_hash.encode())
    for module in (fastpath, values):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(importlib.util.MAGIC_NUMBER)
    return cache_dir() / f"native-fast-{digest.hexdigest()[:32]}.marshal"


def compiled_tests(grammar: Grammar) -> dict[int, Compiled]:
    """Node index -> compiled fast test, for every segment node: from the cache when it is there."""
    if not grammar.source_hash:  # a grammar compiled for a test, not loaded: nothing to key on
        return {}
    path = cache_path(grammar)
    table = _read(path)
    if table is None:
        if not cache_writable():  # every node compiled for nothing: the file's nodes are compiled as met
            return {}
        table = {node.index: compiled(node) for node in grammar.nodes if node.kind == SEGMENT}
        write_cache_file(path, marshal.dumps(table), "fast")
    return table


def _read(path: Path) -> dict[int, Compiled] | None:
    try:
        table = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as error:  # corrupt or foreign: rebuilt
        log.warning("structure.fast_cache_unreadable", error=type(error).__name__)
        return None
    if not isinstance(table, dict) or not all(_is_compiled(entry) for entry in table.values()):
        log.warning("structure.fast_cache_unreadable", error="layout")
        return None
    return table


def _is_compiled(entry: object) -> bool:
    return (
        isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], CodeType) and isinstance(entry[1], dict)
    )
