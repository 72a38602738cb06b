"""Images, folders, arrays and videos as one stream of decoded frames."""
import glob
import os
import os.path as osp
import time
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from endommlab.errors import DataError

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.m4v', '.mpg', '.mpeg', '.wmv')
InputType = Union[str, np.ndarray, Sequence[Union[str, np.ndarray]]]


@dataclass
class Frame:
    """One decoded image (``image`` is None and ``error`` says why when it cannot be read)."""

    index: int
    name: str
    stem: str  # output file name without extension (relative path inside a folder)
    image: Optional[np.ndarray]
    decode_ms: float
    error: Optional[str] = None


def truncation(path: str) -> Optional[str]:
    """Why a JPEG or PNG file ends early, or None.

    libjpeg decodes a JPEG cut short without an error, filling the missing part with grey,
    so the end markers are checked: a JPEG ends with EOI (``FF D9``, possibly followed by a
    few padding bytes), a PNG with its ``IEND`` chunk.
    """
    try:
        with open(path, 'rb') as f:
            head = f.read(8)
            f.seek(max(0, os.fstat(f.fileno()).st_size - 1024))
            tail = f.read()
    except OSError as e:
        return f'unreadable file ({e.strerror})'
    if head.startswith(b'\xff\xd8') and b'\xff\xd9' not in tail:
        return 'truncated JPEG (no end-of-image marker)'
    if head.startswith(b'\x89PNG') and b'IEND' not in tail:
        return 'truncated PNG (no IEND chunk)'
    return None


def read_image(path: str) -> Tuple[Optional[np.ndarray], Optional[str]]:
    """``(BGR image, None)``, or ``(None, reason)`` when ``path`` cannot be decoded whole."""
    error = truncation(path)
    if error:
        return None, error
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        return None, 'unreadable image (not an image, truncated or unsupported format)'
    return image, None


def load_image(path: str) -> np.ndarray:
    """BGR image of ``path``.

    Raises:
        DataError: ``path`` does not exist or cannot be decoded.
    """
    if not osp.exists(path):
        raise DataError(f'input {path} does not exist')
    image, error = read_image(path)
    if error:
        raise DataError(f'input {path}: {error}')
    return image


def is_video(path: str) -> bool:
    return osp.splitext(path)[1].lower() in VIDEO_EXTENSIONS


class InferenceInput:
    """What inference runs on: an image path, a folder (searched recursively for
    :data:`IMAGE_EXTENSIONS`), a video file (OpenCV), a BGR array, or a list of
    paths and arrays.

    Iterating yields :class:`Frame` objects in order; an image of a folder or a
    list that cannot be read is yielded with its ``error`` (so that it is
    reported, not dropped), and so is the rest of a video that ends before the frame
    count in its header. Two images whose names differ only in the extension
    (``a.jpg``, ``a.png``) get the extension in their output stem (``a_jpg``,
    ``a_png``), so neither result overwrites the other. ``fps`` and ``frame_size``
    (w, h) describe a video.

    Raises:
        DataError: the path does not exist, a single image cannot be read, a
            folder holds no image, a video cannot be opened or has no frame.
    """

    def __init__(self, inputs: InputType) -> None:
        self.video: Optional[str] = None
        self.fps: Optional[float] = None
        self.frame_size: Optional[Tuple[int, int]] = None
        self.num_video_frames = 0
        self.root: Optional[str] = None
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if isinstance(inputs, str):
            if not osp.exists(inputs):
                raise DataError(f'input {inputs} does not exist')
            if osp.isdir(inputs):
                self.root = inputs
                inputs = self._folder_images(inputs)
            elif is_video(inputs):
                self._open_video(inputs)
                inputs = []
            else:
                load_image(inputs)  # a single image that cannot be read is an error
                inputs = [inputs]
        self.items: List[Union[str, np.ndarray]] = list(inputs)
        self.stems = self._output_stems()

    def _output_stems(self) -> List[str]:
        """The output file stem of every item, unique (see the class docstring)."""
        stems = []
        for index, item in enumerate(self.items):
            if isinstance(item, np.ndarray):
                stems.append(f'image_{index}')
            else:
                stems.append(osp.splitext(osp.relpath(item, self.root) if self.root
                                          else osp.basename(item))[0])
        counts = Counter(stems)
        return [stem + '_' + osp.splitext(item)[1].lstrip('.').lower()
                if counts[stem] > 1 and isinstance(item, str) else stem
                for stem, item in zip(stems, self.items)]

    @staticmethod
    def _folder_images(folder: str) -> List[str]:
        paths = sorted(p for p in glob.glob(osp.join(folder, '**', '*'), recursive=True)
                       if osp.splitext(p)[1].lower() in IMAGE_EXTENSIONS and osp.isfile(p))
        if not paths:
            raise DataError(f'folder {folder} holds no image ({", ".join(IMAGE_EXTENSIONS)})')
        return paths

    def _open_video(self, path: str) -> None:
        cap = cv2.VideoCapture(path)
        ok = cap.isOpened() and cap.read()[0]
        if not ok:
            cap.release()
            raise DataError(f'video {path} cannot be read or has no frame')
        self.video = path
        self.fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        self.frame_size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                           int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.num_video_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        cap.release()

    def __len__(self) -> int:
        return self.num_video_frames if self.video else len(self.items)

    def __iter__(self) -> Iterator[Frame]:
        if self.video:
            yield from self._video_frames()
            return
        for index, item in enumerate(self.items):
            start = time.perf_counter()
            if isinstance(item, np.ndarray):
                image, error, name = item, None, f'image_{index}'
            else:
                (image, error), name = read_image(item), item
            yield Frame(index, name, self.stems[index], image,
                        (time.perf_counter() - start) * 1000, error)

    def _video_frames(self) -> Iterator[Frame]:
        cap = cv2.VideoCapture(self.video)
        index = 0
        try:
            while True:
                start = time.perf_counter()
                ok, image = cap.read()
                if not ok:
                    break
                yield Frame(index, f'frame {index}', f'frame_{index:06d}', image,
                            (time.perf_counter() - start) * 1000)
                index += 1
        finally:
            cap.release()
        if index < self.num_video_frames:
            yield Frame(index, f'frames {index}-{self.num_video_frames - 1}', '', None, 0.,
                        f'video ended after {index} of the {self.num_video_frames} frames its '
                        'header announces (file cut short?)')
