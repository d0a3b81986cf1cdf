"""Start-up time: `chefintro --help` against a bare one-command Typer app (goal ≤ 1.5×).

Runs are alternated so that both sides see the same machine noise; the ratio of the
medians is printed. Run with `make bench` or `python benchmarks/bench_startup.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


app()
'''

GOAL = 1.5


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main(rounds: int = 15) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        ours = [sys.executable, "-m", "chefintro", "--help"]
        baseline = [sys.executable, str(bare), "--help"]
        _time(ours), _time(baseline)  # warm the file cache
        ours_t: list[float] = []
        base_t: list[float] = []
        for _ in range(rounds):
            ours_t.append(_time(ours))
            base_t.append(_time(baseline))
    ratio = statistics.median(ours_t) / statistics.median(base_t)
    print(
        f"startup: chefintro --help {statistics.median(ours_t) * 1000:.0f} ms, "
        f"bare Typer app {statistics.median(base_t) * 1000:.0f} ms, "
        f"ratio {ratio:.2f}x (goal <= {GOAL}x)"
    )
    return ratio


if __name__ == "__main__":
    main()
