"""The default sharing image (Open Graph / Twitter card): a run chart in white on NHS blue.

Drawn here with numpy and written as a PNG with zlib, so no image library or font is needed and
the bytes are the same on every build.
"""

from __future__ import annotations

import itertools
import struct
import zlib

import numpy as np

WIDTH, HEIGHT = 1200, 630
BLUE = (0, 94, 184)
WHITE = (255, 255, 255)
PALE = (65, 182, 230)
POINTS = (330, 290, 350, 300, 270, 320, 250, 230, 210, 240, 190, 170)
"""Heights of the chart's points: a run that ends in a sustained rise (an improvement)."""


def _disc(image: np.ndarray, x: float, y: float, radius: float, colour: tuple[int, ...]) -> None:
    top, left = max(int(y - radius), 0), max(int(x - radius), 0)
    box = image[top : int(y + radius) + 2, left : int(x + radius) + 2]
    rows, cols = np.ogrid[top : top + box.shape[0], left : left + box.shape[1]]
    box[(cols - x) ** 2 + (rows - y) ** 2 <= radius**2] = colour


def _segment(
    image: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    width: float,
    colour: tuple[int, ...],
) -> None:
    steps = int(max(abs(end[0] - start[0]), abs(end[1] - start[1])) / 2) + 1
    for t in np.linspace(0.0, 1.0, steps):
        _disc(
            image,
            start[0] + t * (end[0] - start[0]),
            start[1] + t * (end[1] - start[1]),
            width / 2,
            colour,
        )


def draw() -> np.ndarray:
    image = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[:, :] = BLUE
    left, right = 120, 1080
    for y, dashed in ((150, True), (270, False), (420, True)):
        for x in range(left, right, 40 if dashed else 4):
            image[y - 2 : y + 2, x : x + (24 if dashed else 4)] = PALE
    step = (right - left) / (len(POINTS) - 1)
    centres = [(left + i * step, float(y) + 60) for i, y in enumerate(POINTS)]
    for a, b in itertools.pairwise(centres):
        _segment(image, a, b, 8, WHITE)
    for cx, cy in centres:
        _disc(image, cx, cy, 16, WHITE)
        _disc(image, cx, cy, 8, BLUE)
    image[540:552, left:right] = WHITE
    return image


def png(image: np.ndarray) -> bytes:
    """An RGB image as PNG bytes (filter 0 on every row; fixed compression level)."""
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def og_image() -> bytes:
    return png(draw())
