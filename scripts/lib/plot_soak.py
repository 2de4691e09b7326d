"""Draws a soak's samples (scripts/soak: the CSV ccgd-bench soak writes) into one PNG: memory,
descriptors and threads, the lease journal and the log, the live leases and lease latency, with
the clock moves (rotations) and the DC restart marked."""

import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display: a file only
import matplotlib.pyplot as plt  # noqa: E402


def main(source: str, target: str) -> None:
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{source} holds no samples: the soak ended before its first one")
    minutes = [float(r["seconds"]) / 60 for r in rows]

    def column(name: str, scale: float = 1.0) -> list[float]:
        return [float(r[name]) * scale for r in rows]

    fig, axes = plt.subplots(4, 1, figsize=(11, 12), sharex=True)
    memory, handles, files, leases = axes
    memory.plot(minutes, column("rss_kb", 1 / 1024), label="resident (VmRSS)")
    memory.plot(minutes, column("anon_kb", 1 / 1024), label="anonymous (RssAnon)")
    memory.set_ylabel("MB")
    memory.set_ylim(bottom=0)
    handles.plot(minutes, column("fds"), label="open descriptors")
    handles.plot(minutes, column("threads"), label="threads")
    handles.set_ylim(bottom=0)
    files.plot(minutes, column("journal_bytes", 1 / 1024), label="lease journal (kB)")
    files.plot(minutes, column("log_bytes", 1 / 1024), label="log (kB)")
    files.set_ylabel("kB")
    leases.plot(minutes, column("live_leases"), label="live leases (left)")
    leases.set_ylabel("leases")
    leases.set_ylim(bottom=0)
    latency = leases.twinx()
    latency.plot(minutes, column("p99_ms"), color="tab:red", linewidth=0.8, label="lease p99, ms (right)")
    latency.set_ylabel("ms")
    latency.set_ylim(bottom=0)
    leases.set_xlabel("minutes")

    for minute, row in zip(minutes, rows):
        for event in filter(None, row["events"].split(";")):
            if event.startswith("clock"):
                style = {"color": "tab:green", "linestyle": ":"}
            elif event.startswith("DC1"):
                style = {"color": "tab:red", "linestyle": "--"}
            else:
                continue  # reloads: one a minute, too many to draw
            for ax in axes:
                ax.axvline(minute, linewidth=0.8, **style)
    # Headroom above the curves, so that no legend hides them.
    for ax in (memory, handles, files):
        ax.set_ylim(top=ax.get_ylim()[1] * 1.35)
        ax.legend(loc="upper left", fontsize="small", ncol=2)
    lines = leases.get_legend_handles_labels()
    more = latency.get_legend_handles_labels()
    leases.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize="small")
    failures = int(rows[-1]["failures"])
    fig.suptitle(
        f"ccgd soak: {minutes[-1]:.0f} min, {rows[-1]['created']} leases created, {failures} failed; "
        "green: clock a day on (rotation), red: DC1 stopped / started; a SIGHUP every minute",
        fontsize="medium",
    )
    fig.tight_layout()
    fig.savefig(target, dpi=90)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot_soak.py SAMPLES.csv PLOT.png")
    main(sys.argv[1], sys.argv[2])
