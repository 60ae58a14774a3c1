"""Synthesis: load and validate the config, build one stack per target, write ``cdktf.out`` atomically.

The app entry (``main.py`` here, three lines in a config repository ``ecr-lifecycle init`` writes) and
``ecr-lifecycle synth`` both call ``main``. An invalid config synthesizes nothing and leaves any previous
output untouched.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from ecr_lifecycle.cli.exiting import leave
from ecr_lifecycle.cli.forking import forked_call, forked_split

if TYPE_CHECKING:
    from ecr_lifecycle.core.config.shards import StackPlan

T0 = time.perf_counter()
# jsii prints a full-screen banner for Node 18/20 (end of life); the README says which Node to use.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "18,20")


def main(argv: Sequence[str] | None = None, prog: str = "main.py", retained: list[object] | None = None) -> int:
    """``retained``: what only the process's exit needs to free (the parsed config), when it leaves quickly."""
    parser = argparse.ArgumentParser(prog=prog, description="Synthesize ECR lifecycle stacks.")
    parser.add_argument("--config", help="fleet config (default: $ECR_LIFECYCLE_CONFIG, else repositories.yaml)")
    parser.add_argument("--outdir", default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=os.environ.get("ECR_LIFECYCLE_VERBOSE", "") not in ("", "0"),
        help="print the timing line (also ECR_LIFECYCLE_VERBOSE=1, for runs through cdktf)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    from ecr_lifecycle.core.config.load import config_path

    t_import_core = time.perf_counter()
    path = config_path(args.config)
    # The config loads in a forked copy of this process while this one starts jsii (Node and the engine's
    # assembly, ~0.4 s, ~0.2 s of it Python): no interpreter lock is shared, and only the stacks' plain plans
    # come back (~3 MB pickled at 10,000 entries, ~0.01 s). Forked before the engine thread starts, so the
    # copy holds no lock of it. With one CPU, or if the copy fails, the load runs here as it always did.
    kept: list[object] = []  # the copy's parsed config, left for its exit to drop (~0.07 s to free)
    ahead = forked_call(lambda: _load(path, kept))
    engine = _EngineImport()
    interval = sys.getswitchinterval()
    try:
        if ahead is None:
            # The engine's imports give up the GIL at every file read and every message to Node, and must take
            # it back from the thread loading the config. At the default 5 ms per handoff they finished only
            # after the load (+0.3 s at 10,000 entries); handing over every 0.5 ms they finish in about a
            # second, as alone.
            sys.setswitchinterval(min(interval, 0.0005))
        engine.start()
        loaded = ahead.result() if ahead is not None else None
        if loaded is None:
            loaded = _load(path, retained)
    finally:
        if ahead is not None:
            ahead.cancel()
        sys.setswitchinterval(interval)
        t_loaded = time.perf_counter()
        # However the load ends, jsii is left started (or failed), never half-way: its exit handler then stops
        # Node and removes its runtime files, instead of racing a thread still unpacking them.
        if engine.ident is not None:
            engine.join()
    if isinstance(loaded, list):
        for message in loaded:
            print(f"error: {message}", file=sys.stderr)
        print(f"error: {path}: invalid, nothing synthesized", file=sys.stderr)
        return 1
    if engine.error is not None:
        print(f"error: {engine.error}", file=sys.stderr)
        return 1
    from .engine import cdk
    from .outdir import OutdirBusy, locked, staged
    from .splice import COLLAPSES_EMPTY, SpliceError, Splicer
    from .target_stack import TargetStack

    t_import_cdktf = time.perf_counter()
    try:
        with locked(args.outdir), staged(args.outdir) as stage:
            # cdktf hands its outdir to us through CDKTF_OUTDIR when it runs the app itself; we write beside it.
            app = cdk.App(outdir=stage, skip_validation=False)
            values = Splicer(collapse_empty=COLLAPSES_EMPTY[cdk.__name__])
            for name, stack in sorted(loaded.stacks.items()):
                stack_dir = os.path.join(args.outdir, "stacks", name)
                state_dir = os.path.relpath(os.path.dirname(os.path.abspath(path)), os.path.abspath(stack_dir))
                TargetStack(app, stack, state_dir=state_dir, values=values)
            t_built = time.perf_counter()
            app.synth()
            values.apply(stage)
            t_synth = time.perf_counter()
    except OutdirBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SpliceError as exc:
        print(f"error: {args.outdir}: unexpected output from the CDK engine, nothing written: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {args.outdir}: cannot write the synthesized stacks: {exc.strerror}", file=sys.stderr)
        return 1
    if not args.verbose:
        return 0  # cdktf shows anything on stderr as "[ERROR]"; the timing line is for people who ask
    print(
        f"ecr-lifecycle ({cdk.__name__}): {len(loaded.stacks)} stack(s), {loaded.named} named repositories, "
        f"{loaded.patterns} patterns; "
        f"time: import {t_import_core - T0 + t_import_cdktf - t_loaded:.2f}s, "
        f"load+validate {t_loaded - t_import_core:.2f}s, construct {t_built - t_import_cdktf:.2f}s, "
        f"synth {t_synth - t_built:.2f}s",
        file=sys.stderr,
    )
    return 0


@dataclass(frozen=True)
class _Loaded:
    """What synthesis needs from the config: each stack's plan, and the figures of the timing line."""

    stacks: dict[str, StackPlan]
    named: int
    patterns: int


def _load(path: str, retained: list[object] | None) -> _Loaded | list[str]:
    """The stacks to build from the config, or the config's errors."""
    from ecr_lifecycle.core.config.load import load_fleet
    from ecr_lifecycle.core.config.shards import stack_plans
    from ecr_lifecycle.core.sourcefile import SourceError

    try:
        fleet = load_fleet(path, os.environ, forked_split, retained)
    except SourceError as exc:
        return list(exc.messages)
    return _Loaded(
        stack_plans(fleet),
        named=sum(len(p.named) for p in fleet.plans.values()),
        patterns=sum(len(p.patterns) for p in fleet.plans.values()),
    )


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds: the staged output is removed, the previous output stays


class _EngineImport(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="engine-import", daemon=True)
        self.error: str | None = None

    def run(self) -> None:
        from .engine_choice import EngineError

        try:
            importlib.import_module(".target_stack", __package__)
        except EngineError as exc:
            self.error = str(exc)
        except Exception as exc:  # jsii could not start Node, or Node broke off: one line, not a traceback
            self.error = f"the CDK engine did not start ({type(exc).__name__}: {exc}); is Node.js 20+ on PATH?"


def entry() -> NoReturn:
    """``run`` as the whole process (``main.py``): it leaves as soon as the output is in place (``leave``)."""
    retained: list[object] = []  # alive in this frame until the process leaves
    leave(run(retained=retained))


def run(argv: Sequence[str] | None = None, prog: str = "main.py", retained: list[object] | None = None) -> int:
    """``main`` as a process entry: SIGTERM and Ctrl-C end it with 143/130 and one line, never a traceback."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return main(argv, prog, retained)
    except KeyboardInterrupt:
        print("error: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
