"""Resident memory of this process (Linux ``/proc``): current, peak, and peak reset."""
import re


def memory_mib(key: str = 'VmRSS') -> float:
    """``VmRSS`` (current) or ``VmHWM`` (peak) of this process, in MiB."""
    with open('/proc/self/status') as f:
        return int(re.search(rf'{key}:\s+(\d+) kB', f.read()).group(1)) / 1024


def reset_peak_memory() -> float:
    """Reset ``VmHWM`` to the current resident size and return that size (MiB)."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    return memory_mib('VmRSS')
