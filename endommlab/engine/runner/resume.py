"""Which checkpoint ``--resume`` continues from: the newest complete one."""
import glob
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from endommlab.errors import CheckpointError
from endommlab.utils.checkpoint import safe_torch_load

#: what a checkpoint needs to continue a run where it stopped
RESUME_KEYS = ('state_dict', 'optimizer', 'meta')


@dataclass
class ResumePoint:
    """The checkpoint to resume from (None: no checkpoint at all) and the ones passed over."""

    checkpoint: Optional[str]
    skipped: List[Tuple[str, str]] = field(default_factory=list)


def incomplete_reason(path: str) -> Optional[str]:
    """Why ``path`` cannot continue a run (unreadable, or no optimizer state), or None."""
    try:
        checkpoint = safe_torch_load(path, 'cpu', name=path)
    except CheckpointError as e:
        return str(e).replace(f'checkpoint {path} ', '')
    if not isinstance(checkpoint, dict):
        return f'holds a {type(checkpoint).__name__}, not a training checkpoint'
    missing = [k for k in RESUME_KEYS if k not in checkpoint]
    if missing:
        return (f'holds no {", ".join(missing)} (weights only, e.g. a best_*.pth): resuming '
                'from it would restart the optimizer and the learning-rate schedule')
    return None


def find_resume_checkpoint(work_dir: str) -> ResumePoint:
    """The newest complete ``epoch_*.pth`` / ``iter_*.pth`` of ``work_dir`` (by the step in its
    name), with each newer one that was passed over and why.

    Raises:
        CheckpointError: checkpoints exist but none of them is complete.
    """
    def step(path: str) -> int:
        return int(osp.splitext(osp.basename(path))[0].split('_')[-1])

    candidates = sorted(glob.glob(osp.join(work_dir, 'epoch_*.pth')) +
                        glob.glob(osp.join(work_dir, 'iter_*.pth')), key=step, reverse=True)
    point = ResumePoint(None)
    for path in candidates:
        reason = incomplete_reason(path)
        if reason is None:
            point.checkpoint = path
            return point
        point.skipped.append((path, reason))
    if point.skipped:
        raise CheckpointError(f'--resume: no complete checkpoint in {work_dir}: ' + '; '.join(
            f'{osp.basename(p)} {r}' for p, r in point.skipped))
    return point
