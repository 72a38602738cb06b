"""Files written by inference: masks, overlays, an overlay video and the per-frame table."""
import csv
import json
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np

from endommlab.errors import DataError, OutputError
from endommlab.structures import Frame, InferenceInput, InferenceResult
from endommlab.visualization import draw_polyp_overlay

#: Video containers tried in order for the overlay video: (fourcc, extension).
VIDEO_CODECS = (('mp4v', '.mp4'), ('MJPG', '.avi'))


def caption(result: InferenceResult) -> str:
    """Overlay caption: polyp area and score, or the predicted class."""
    if result.mask is None:
        return f'{result.pred_class} {result.score:.2f}'
    if not result.polyp:
        return f'no polyp (score {result.score:.2f})'
    return f'polyp {result.area / result.mask.size:.1%} of the image, score {result.score:.2f}'


def overlay(image: np.ndarray, result: InferenceResult) -> np.ndarray:
    """The prediction over the image (filled and outlined in red), with :func:`caption`."""
    mask = result.mask if result.mask is not None else np.zeros(image.shape[:2], dtype=bool)
    return draw_polyp_overlay(image, mask, caption=caption(result))


class InferenceWriter:
    """Writes under ``out_dir``: ``masks/<stem>.png`` (0/255, original size),
    ``overlays/<stem>.png`` (images) or ``<video stem>_overlay.mp4`` (a video,
    at its frame rate and size), and, on :meth:`close`, ``results.csv`` and
    ``results.json`` (one row per frame, the skipped images and the summary).
    """

    def __init__(self, out_dir: str, source: InferenceInput) -> None:
        self.out_dir = out_dir
        self.rows: List[dict] = []
        self.video: Optional[cv2.VideoWriter] = None
        self.video_file: Optional[str] = None
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as e:
            raise OutputError(f'cannot create the output folder {out_dir} ({e.strerror})') from None
        if source.video:
            stem = osp.join(out_dir, osp.splitext(osp.basename(source.video))[0] + '_overlay')
            for fourcc, ext in VIDEO_CODECS:
                self.video = cv2.VideoWriter(stem + ext, cv2.VideoWriter_fourcc(*fourcc),
                                             source.fps, source.frame_size)
                if self.video.isOpened():
                    self.video_file = stem + ext
                    break
            else:
                raise DataError(f'OpenCV cannot write a video of size {source.frame_size} in '
                                f'{out_dir} (tried {VIDEO_CODECS})')

    def _imwrite(self, folder: str, stem: str, image: np.ndarray) -> None:
        path = osp.join(self.out_dir, folder, stem + '.png')
        try:
            os.makedirs(osp.dirname(path), exist_ok=True)
        except OSError as e:
            raise OutputError(f'cannot create {osp.dirname(path)} ({e.strerror})') from None
        if not cv2.imwrite(path, image):
            raise OutputError(f'could not write {path}')

    def write(self, frame: Frame, result: InferenceResult) -> None:
        """Files of one frame, and its table row."""
        self.rows.append(result.summary())
        if result.mask is not None:
            self._imwrite('masks', frame.stem, result.mask.astype(np.uint8) * 255)
        picture = overlay(frame.image, result)
        if self.video is not None:
            self.video.write(picture)
        else:
            self._imwrite('overlays', frame.stem, picture)

    def close(self, summary: dict) -> None:
        """Finish the video; write ``results.csv`` and ``results.json``."""
        if self.video is not None:
            self.video.release()
            summary = dict(summary, overlay_video=self.video_file)
        try:
            with open(osp.join(self.out_dir, 'results.csv'), 'w', newline='') as f:
                fields = list(dict.fromkeys(k for row in self.rows for k in row))
                writer = csv.DictWriter(f, fieldnames=fields)
                writer.writeheader()
                writer.writerows(self.rows)
            with open(osp.join(self.out_dir, 'results.json'), 'w') as f:
                json.dump(dict(summary=summary, frames=self.rows), f, indent=1)
        except OSError as e:
            raise OutputError(f'could not write the results in {self.out_dir} '
                              f'({e.strerror})') from None
        if self.video_file and not osp.getsize(self.video_file):
            raise OutputError(f'could not write {self.video_file}')
