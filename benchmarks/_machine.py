"""What the benchmark scripts record about the machine (standard library only, so that the
ClustPy worker of ``compare_clustpy.py`` can import it from its own environment)."""

import platform


def cpu_name():
    """The processor's model name (Linux), else what ``platform`` knows, else ``"unknown"``."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
