"""Does the playground stay responsive? Wall time of one update at its heaviest settings.

    python benchmarks/playground_speed.py [--updates 20]

An update is what a click on Step, or one beat of the Play widget, costs the
kernel: train a chunk of epochs and redraw the boundary and the loss curves.
The target is that no update blocks the kernel for more than about 0.2 s.
Settings: spiral data, 6 hidden layers of 8 neurons, batch size 1 (the most
updates per epoch the panel allows).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nncourse.widgets.playground import Playground


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20, help="updates of each kind to time (default 20)")
    args = parser.parse_args()
    panel = Playground(dataset="spiral", hidden_layers=6, neurons=8, batch_size=1)
    panel.step_button.click()  # warm up: first drawing, caches
    steps = []
    for _ in range(args.updates):
        start = time.perf_counter()
        panel.step_button.click()
        steps.append(time.perf_counter() - start)
    panel.play.playing = True
    beats = []
    for _ in range(args.updates):
        panel._last_tick_end = 0.0  # beats here come faster than a browser sends them
        start = time.perf_counter()
        panel.play.value += 1
        beats.append(time.perf_counter() - start)
    for name, times in (("Step click", steps), ("Play beat", beats)):
        ms = 1000 * np.array(times)
        print(f"{name:10}: median {np.median(ms):6.1f} ms, 90th percentile {np.percentile(ms, 90):6.1f} ms, "
              f"max {ms.max():6.1f} ms over {len(ms)} updates")
    print(f"after {panel.model.epoch} epochs; the panel's own record of its last 10 updates: median "
          f"{1000 * np.median(panel.update_seconds[-10:]):.1f} ms")


if __name__ == "__main__":
    main()
