"""Pictures of a predicted polyp mask over its image (tests, inference, videos)."""
from typing import Optional

import cv2
import numpy as np

RED, GREEN = (0, 0, 255), (0, 255, 0)


def draw_polyp_overlay(image: np.ndarray, pred: np.ndarray, gt: Optional[np.ndarray] = None,
                       caption: Optional[str] = None, alpha: float = 0.4) -> np.ndarray:
    """BGR picture: prediction filled red and outlined red, ground truth (if any) outlined green.

    Args:
        image: BGR image ``(H, W, 3)``, uint8.
        pred: boolean prediction mask ``(H, W)``.
        gt: boolean ground-truth mask ``(H, W)``, or None.
        caption: text written in the top-left corner, or None.
        alpha: opacity of the prediction's fill.
    """
    fill = image.copy()
    fill[pred] = RED
    out = cv2.addWeighted(fill, alpha, image, 1 - alpha, 0)
    thick = max(1, round(max(image.shape[:2]) / 300))
    for mask, colour in ((pred, RED), (gt, GREEN)):
        if mask is not None:
            contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                           cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(out, contours, -1, colour, thick)
    if caption:
        scale = max(0.4, image.shape[1] / 1000)
        origin = (8, int(24 * scale) + 4)
        for colour, width in (((0, 0, 0), thick + 2), ((255, 255, 255), thick)):
            cv2.putText(out, caption, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, width,
                        cv2.LINE_AA)
    return out
