"""Colour checks: how a colour looks under colour-vision deficiencies, and how far apart two
colours look (CIE76 in CIELAB). Used to keep the tag palette readable for everyone."""

from __future__ import annotations

import numpy as np

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
_DEFICIENCY_MATRICES = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
DEFICIENCIES = tuple(_DEFICIENCY_MATRICES)
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    c = np.clip(linear, 0.0, 1.0)
    c = np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)
    return c * 255.0


def simulate(rgb: np.ndarray, deficiency: str) -> np.ndarray:
    """How ``rgb`` ((..., 3) values 0-255) looks to someone with ``deficiency``."""
    matrix = _DEFICIENCY_MATRICES[deficiency]
    return _to_srgb(_to_linear(rgb) @ matrix.T)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours given as (..., 3) values 0-255."""
    xyz = _to_linear(rgb) @ _SRGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Perceived difference (CIE76 ΔE) between sRGB colours; about 2 is just noticeable."""
    return np.linalg.norm(to_lab(a) - to_lab(b), axis=-1)


def min_difference(colors: np.ndarray, deficiency: str | None = None) -> float:
    """The smallest pairwise ΔE among ``colors`` (K, 3), as seen with ``deficiency``."""
    shown = np.asarray(colors, dtype=np.float64)
    if deficiency is not None:
        shown = simulate(shown, deficiency)
    d = delta_e(shown[:, None, :], shown[None, :, :])
    d[np.diag_indices(len(shown))] = np.inf
    return float(d.min())
