from .atomic_checkpoint_runner import PARTIAL_SUFFIX, AtomicCheckpointRunner
from .resume import ResumePoint, find_resume_checkpoint, incomplete_reason

__all__ = [
    'PARTIAL_SUFFIX', 'AtomicCheckpointRunner', 'ResumePoint', 'find_resume_checkpoint',
    'incomplete_reason'
]
