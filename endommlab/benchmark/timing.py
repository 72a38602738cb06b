"""Interleaved timing: several callables take turns, so that all see the same machine load."""
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np


@dataclass
class Timing:
    """Wall-clock and process CPU milliseconds (all threads) of repeated calls."""

    wall_ms: List[float] = field(default_factory=list)
    cpu_ms: List[float] = field(default_factory=list)

    def summary(self, items: int = 1) -> dict:
        """mean / median / min / max ms per call, median CPU ms and ``items`` per second."""
        wall = np.asarray(self.wall_ms)
        return dict(runs=len(wall), mean_ms=float(wall.mean()), median_ms=float(np.median(wall)),
                    min_ms=float(wall.min()), max_ms=float(wall.max()),
                    cpu_ms=float(np.median(self.cpu_ms)),
                    per_s=float(items * 1000 / wall.mean()))


def time_interleaved(fns: Dict[str, Callable[[], object]], warmup: int, repeats: int,
                     sync: Optional[Callable[[], None]] = None) -> Dict[str, Timing]:
    """Time each of ``fns`` ``repeats`` times after ``warmup`` untimed rounds, in turns.

    Round ``i`` calls every function once, in order; ``sync`` (e.g.
    ``torch.cuda.synchronize``) runs before each clock read.
    """
    sync = sync or (lambda: None)
    timings = {name: Timing() for name in fns}
    for i in range(warmup + repeats):
        for name, fn in fns.items():
            sync()
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            sync()
            if i >= warmup:
                timings[name].wall_ms.append((time.perf_counter() - start) * 1000)
                timings[name].cpu_ms.append((time.process_time() - start_cpu) * 1000)
    return timings
