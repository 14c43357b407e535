"""Region atlas rules for the default (MakeHuman hm08) body.

Regions are decided by *type* from |x|, so the subject's left and right get mirror-identical
labels; the side comes from the sign of x afterwards. Vertices exactly on the midline never
belong to a sided region: each sided type names the midline region that takes them (sagittal
suture, sternum, spine, sacrum...), which keeps left and right areas exactly equal.

Landmarks are in metres in the hm08 frame (origin near the pelvis, +y up, +z anterior). They come
from the rig's joint cubes where one exists and otherwise from standard body proportions of the
1.666 m figure (navel 0.60, xiphoid 0.70, jugular notch 0.818 of the height...).
"""

from __future__ import annotations

import re

import numpy as np

# --- the catalogue: (type, display name, sided?, body part, midline fallback for x == 0) ---
REGION_TYPES: list[tuple[str, str, bool, str, str | None]] = [
    ("frontal", "Frontal", False, "head", None),
    ("sagittal_suture", "Sagittal suture", False, "head", None),
    ("parietal", "parietal", True, "head", "sagittal_suture"),
    ("temporal", "temporal", True, "head", None),
    ("sphenoid", "sphenoid / temple", True, "head", None),
    ("occipital", "Occipital", False, "head", None),
    ("face", "Face", False, "head", None),
    ("ear", "ear", True, "head", None),
    ("jaw", "Jaw (mandible)", False, "head", None),
    ("tmj", "TMJ", True, "head", None),
    ("neck_anterior", "Neck, anterior", False, "neck", None),
    ("neck_posterior", "Neck, posterior", False, "neck", None),
    ("sternum", "Sternum", False, "trunk anterior", None),
    ("thorax_anterior_upper", "thorax, anterior upper", True, "trunk anterior", "sternum"),
    ("thorax_anterior_lower", "thorax, anterior lower", True, "trunk anterior", "sternum"),
    ("abdomen_upper", "Abdomen, upper", False, "trunk anterior", None),
    ("abdomen_lower", "Abdomen, lower", False, "trunk anterior", None),
    ("groin", "groin (inguinal)", True, "trunk anterior", "abdomen_lower"),
    ("thoracic_spine", "Thoracic spine", False, "trunk posterior", None),
    (
        "thorax_posterior_upper",
        "thorax, posterior upper",
        True,
        "trunk posterior",
        "thoracic_spine",
    ),
    (
        "thorax_posterior_lower",
        "thorax, posterior lower",
        True,
        "trunk posterior",
        "thoracic_spine",
    ),
    ("lumbar_spine", "Lumbar spine", False, "trunk posterior", None),
    ("lumbar", "lumbar", True, "trunk posterior", "lumbar_spine"),
    ("sacrum", "Sacrum / coccyx", False, "trunk posterior", None),
    ("gluteal", "gluteal", True, "trunk posterior", "sacrum"),
    ("perineum", "Perineum", False, "perineum", None),
    ("shoulder", "shoulder", True, "upper limb", "neck_posterior"),
    ("axilla", "axilla", True, "upper limb", None),
    ("upper_arm", "upper arm", True, "upper limb", None),
    ("elbow", "elbow", True, "upper limb", None),
    ("forearm", "forearm", True, "upper limb", None),
    ("hand", "hand", True, "upper limb", None),
    ("hip", "hip", True, "lower limb", "perineum"),
    ("thigh_anterior", "thigh, anterior", True, "lower limb", "perineum"),
    ("thigh_posterior", "thigh, posterior", True, "lower limb", "perineum"),
    ("knee", "knee", True, "lower limb", None),
    ("leg_anterior", "leg, anterior (shin)", True, "lower limb", None),
    ("leg_posterior", "leg, posterior (calf)", True, "lower limb", None),
    ("foot", "foot", True, "lower limb", None),
]
TYPE_INDEX = {t[0]: i for i, t in enumerate(REGION_TYPES)}

# Boundaries tuned so each body part's share of the skin matches the Lund-Browder chart on
# every shipped body (see bodymap.core.chart); metres in the hm08 frame.
FLANK_SHIFT = 0.01  # the trunk's front/back split, forward of the mid-coronal surface
SHOULDER_MEDIAL = 0.03  # how far medial of the shoulder joint the deltoid cap reaches
HIP_ABOVE_JOINT = 0.0  # top of the trochanteric hip region above the hip joint
PERINEUM_NORMAL = -0.4  # perineal skin faces down at least this much (normal's y)
PERINEUM_HALF_WIDTH = 0.03
KNEE_ABOVE = 0.02  # the knee region reaches this far above the joint line
GLUTEAL_FOLD = -0.15
HEAD_BASE_FRONT = 0.595  # the head's lower edge under the jaw (y, metres)
HEAD_BASE_BACK = 0.615  # and at the back of the neck
GLUTEAL_TOP = 0.12

BANDS = [
    ("pelvic", "Pelvic diaphragm"),
    ("respiratory", "Respiratory diaphragm"),
    ("thoracic_inlet", "Thoracic inlet"),
    ("hyoid", "Hyoid diaphragm"),
    ("cranial_base", "Cranial base (occipito-atlantal)"),
]


def region_catalogue() -> list[dict]:
    """Every region of the atlas, left before right, as stored in the atlas file."""
    regions = []
    for key, name, sided, part, _ in REGION_TYPES:
        if not sided:
            regions.append({"key": key, "name": name, "side": "midline", "body_part": part})
            continue
        for side, tag in (("left", "l"), ("right", "r")):
            body_part = f"{part} {side}" if part in ("upper limb", "lower limb") else part
            regions.append(
                {
                    "key": f"{key}_{tag}",
                    "name": f"{side.capitalize()} {name}",
                    "side": side,
                    "body_part": body_part,
                }
            )
    return regions


def chain_of(bone: str) -> str:
    """The coarse chain a skinning bone belongs to."""
    base = re.sub(r"\.(L|R)$", "", bone)
    if re.match(r"(upperarm|lowerarm|wrist|metacarpal|finger)", base):
        return "arm"
    if re.match(r"(upperleg|lowerleg|foot|toe)", base):
        return "leg"
    if base.startswith("neck"):
        return "neck"
    if re.match(r"(clavicle|shoulder)", base):
        return "shoulder"
    if re.match(r"(spine|breast|root|pelvis)", base):
        return "trunk"
    return "head"


def _line(y0: float, z0: float, y1: float, z1: float):
    """z on the straight line through (y0, z0) and (y1, z1), as a function of y."""
    return lambda y: z0 + (y - y0) * (z1 - z0) / (y1 - y0)


def _between(value: np.ndarray, low: float, high: float) -> np.ndarray:
    return (value >= low) & (value < high)


def _arc_length(points: np.ndarray, path: list[np.ndarray]) -> np.ndarray:
    """Distance along a polyline of each point's projection onto its nearest segment."""
    best = np.full(len(points), np.inf)
    along = np.zeros(len(points))
    start = 0.0
    for a, b in zip(path[:-1], path[1:], strict=True):
        seg = b - a
        length = float(np.linalg.norm(seg))
        t = np.clip((points - a) @ seg / length**2, 0.0, 1.0)
        dist = np.linalg.norm(points - (a + t[:, None] * seg), axis=1)
        closer = dist < best
        best[closer] = dist[closer]
        along[closer] = start + t[closer] * length
        start += length
    return along


def _head_types(p: np.ndarray, n: np.ndarray, ax: np.ndarray) -> np.ndarray:
    """Types for vertices of the head UV island (scalp and face)."""
    y, z = p[:, 1], p[:, 2]
    t = np.full(len(p), TYPE_INDEX["parietal"])
    lateral = np.abs(n[:, 0]) > 0.55
    coronal = _line(0.845, 0.060, 0.745, 0.095)  # bregma to pterion
    lambdoid = _line(0.790, -0.033, 0.690, -0.005)  # lambda to asterion and below
    brow = 0.752

    def put(name: str, mask: np.ndarray) -> None:
        t[mask] = TYPE_INDEX[name]

    put("frontal", (z > coronal(y)) & (y >= brow))
    put("occipital", (z < lambdoid(y)) & (y < 0.79))
    squama = 0.748 - 8.0 * (z - 0.04) ** 2  # the arch of the squamosal suture over the ear
    put("temporal", lateral & (y < squama) & (z >= lambdoid(y)) & (z < 0.075) & (y >= 0.672))
    put("sphenoid", lateral & _between(z, 0.075, 0.112) & _between(y, 0.703, 0.757))
    put("face", (y < brow) & (z >= 0.075) & ~(lateral & _between(z, 0.075, 0.112) & (y >= 0.703)))
    # The mandible: below the lower lip in front, and the ramus below the ear behind the cheek.
    ramus = lateral & _between(z, 0.035, 0.105) & (y < 0.652 + 0.6 * (0.105 - z))
    put("jaw", ((y < 0.652) | ramus | ((y < 0.672) & (z < 0.075))) & (z >= 0.035))
    tmj = np.array([0.072, 0.699, 0.066])
    put("tmj", np.linalg.norm(np.c_[ax, y, z] - tmj, axis=1) < 0.013)
    ear_box = _between(y, 0.670, 0.748) & _between(z, 0.005, 0.07)
    put("ear", ear_box & (ax > 0.0765))
    # Whatever is left below the parietal eminence belongs to the skull's side and back, or
    # (under the ear and behind the jaw) to the upper neck.
    low = (t == TYPE_INDEX["parietal"]) & (y < 0.735)
    t[low & (z < 0.0)] = TYPE_INDEX["occipital"]
    t[low & (z >= 0.0) & (y >= 0.672)] = TYPE_INDEX["temporal"]
    t[low & (z >= 0.0) & (y < 0.672)] = TYPE_INDEX["neck_posterior"]
    t[low & (z >= 0.012) & (y < 0.672)] = TYPE_INDEX["neck_anterior"]
    # The sagittal suture: a 12 mm strip on the crown between the parietal bones.
    t[(t == TYPE_INDEX["parietal"]) & (ax < 0.006)] = TYPE_INDEX["sagittal_suture"]
    return t


def _trunk_midcoronal(p: np.ndarray, ax: np.ndarray):
    """z of the mid-coronal surface as a function of y, from the trunk's midline profile."""
    mid = ax < 0.01
    levels = np.arange(-0.05, 0.62, 0.01)
    z_mid = []
    for level in levels:
        s = p[mid & _between(p[:, 1], level, level + 0.01), 2]
        z_mid.append((s.max() + s.min()) / 2 if len(s) > 1 else np.nan)
    z_mid = np.array(z_mid)
    ok = np.isfinite(z_mid)
    return lambda y: np.interp(y, levels[ok] + 0.005, z_mid[ok])


def _body_types(p, n, ax, chain, island, joints, axilla_apex) -> np.ndarray:
    """Types for every vertex outside the head island."""
    y, z = p[:, 1], p[:, 2]
    t = np.full(len(p), -1)
    zc = _trunk_midcoronal(p, ax)
    anterior = z > zc(y) + FLANK_SHIFT
    # The thoracic inlet: from the jugular notch (front) up to C7 (back).
    above_base = y > 0.545 + (0.588 - 0.545) * np.clip((0.09 - z) / 0.16, 0, 1)

    def put(name: str, mask: np.ndarray) -> None:
        t[mask & (t < 0)] = TYPE_INDEX[name]

    put("hand", island == "hand")
    put("foot", island == "foot")
    # Upper limb: positions along the shoulder-elbow-wrist line.
    shoulder, elbow, wrist = joints["l-shoulder"], joints["l-elbow"], joints["l-hand"]
    q = np.c_[ax, y, z]
    s_arm = _arc_length(q, [shoulder, elbow, wrist])
    s_elbow = float(np.linalg.norm(elbow - shoulder))
    arm = chain == "arm"
    near_apex = np.linalg.norm(q - axilla_apex, axis=1) < 0.045
    put(
        "axilla",
        near_apex
        & (arm | (chain == "trunk") | (chain == "shoulder"))
        & (y < axilla_apex[1] + 0.03),
    )
    # The shoulder is the deltoid cap: the clavicle and scapula bones' skin medial to the
    # acromion is trunk (Lund-Browder's upper arm starts at the deltoid line).
    lateral = ax >= shoulder[0] - SHOULDER_MEDIAL
    put("shoulder", (arm & (s_arm < 0.075)) | ((chain == "shoulder") & lateral))
    put("elbow", arm & (np.abs(s_arm - s_elbow) < 0.035))
    put("upper_arm", arm & (s_arm < s_elbow))
    put("forearm", arm)
    # Neck and the top of the shoulders above the thoracic inlet.
    put("neck_anterior", above_base & (ax < 0.062) & (z > 0.012))
    put("neck_posterior", above_base & (ax < 0.062))
    put("shoulder", above_base & lateral)
    # Lower limb.
    hip_joint, knee, ankle = joints["l-upper-leg"], joints["l-knee"], joints["l-ankle"]
    leg = chain == "leg"
    side_facing = np.abs(n[:, 0]) > 0.6
    # The hip is the trochanteric part of the thigh, around and below the hip joint; the skin
    # above it (over the iliac crest and gluteus medius) is trunk and buttock.
    hip_top = hip_joint[1] + HIP_ABOVE_JOINT
    hip_band = _between(y, -0.07, hip_top) & (ax > 0.1) & (z <= zc(y) + 0.03)
    put("hip", side_facing & hip_band)
    put("perineum", (n[:, 1] < PERINEUM_NORMAL) & (y < 0.0) & (ax < PERINEUM_HALF_WIDTH))
    put("knee", leg & _between(y, knee[1] - 0.045, knee[1] + KNEE_ABOVE))
    leg_axis_z = np.interp(y, [ankle[1], knee[1], hip_joint[1]], [ankle[2], knee[2], hip_joint[2]])
    gluteal_fold = GLUTEAL_FOLD
    below_knee = y < knee[1]
    put("leg_anterior", leg & below_knee & (z > leg_axis_z))
    put("leg_posterior", leg & below_knee)
    put("thigh_anterior", leg & (z > leg_axis_z) & (y < hip_top))
    posterior = ~anterior
    put("gluteal", posterior & _between(y, gluteal_fold, GLUTEAL_TOP) & (ax > 0.012))
    put("thigh_posterior", leg)
    # Trunk, posterior.
    sacrum_half_width = 0.012 + 0.045 * np.clip((y + 0.02) / 0.14, 0, 1)
    put("sacrum", posterior & _between(y, -0.03, 0.12) & (ax < sacrum_half_width))
    put("thoracic_spine", posterior & _between(y, 0.30, 0.60) & (ax < 0.012))
    put("lumbar_spine", posterior & _between(y, 0.10, 0.30) & (ax < 0.012))
    put("thorax_posterior_upper", posterior & (y >= 0.42))
    put("thorax_posterior_lower", posterior & (y >= 0.30))
    put("lumbar", posterior & (y >= 0.10))
    put("gluteal", posterior)
    # Trunk, anterior.
    costal = 0.35 - 0.6 * ax
    inguinal = 0.02 + (ax - 0.02) * 1.0
    put("sternum", anterior & _between(y, 0.35, 0.60) & (ax < 0.015))
    put("thorax_anterior_upper", anterior & (y >= 0.40))
    put("thorax_anterior_lower", anterior & (y >= costal))
    put("groin", anterior & (y < inguinal) & (ax >= 0.03))
    put("abdomen_upper", anterior & (y >= 0.185))
    put("abdomen_lower", anterior)
    return t


def _head_base(types: np.ndarray, p: np.ndarray) -> None:
    """Give the head the neck skin above the head's base line (under the jaw, the suboccipital
    hollow), so that the head's share is the chart's from infancy on."""
    y, z = p[:, 1], p[:, 2]
    neck = np.isin(types, [TYPE_INDEX["neck_anterior"], TYPE_INDEX["neck_posterior"]])
    front = np.clip((0.09 - z) / 0.16, 0, 1)
    above = y > HEAD_BASE_FRONT + (HEAD_BASE_BACK - HEAD_BASE_FRONT) * front
    types[neck & above & (z >= 0.012)] = TYPE_INDEX["jaw"]
    types[neck & above & (z < 0.012)] = TYPE_INDEX["occipital"]


def smooth_types(types: np.ndarray, indptr: np.ndarray, indices: np.ndarray, rounds: int = 3):
    """Majority filter over the vertex graph: removes single-vertex specks on boundaries."""
    n_types = len(REGION_TYPES)
    for _ in range(rounds):
        owners = np.repeat(np.arange(len(types)), np.diff(indptr))
        labels = types[indices]
        keep = labels >= 0
        votes = np.zeros((len(types), n_types))
        np.add.at(votes, (owners[keep], labels[keep]), 1.0)
        best = votes.argmax(axis=1)
        strong = votes[np.arange(len(types)), best] > 0.5 * np.diff(indptr)
        change = (types >= 0) & strong & (best != types)
        types = np.where(change, best, types)
    return types


def label_vertices(
    p, n, chain, island, internal, joints, indptr, indices
) -> tuple[np.ndarray, np.ndarray]:
    """Region index (into :func:`region_catalogue`) and band index for every vertex."""
    ax = np.abs(p[:, 0])
    types = np.full(len(p), -1)
    head = island == "head"
    types[head] = _head_types(p[head], n[head], ax[head])
    arm_trunk = _armpit_apex(p, ax, chain, indptr, indices)
    types[~head] = _body_types(
        p[~head], n[~head], ax[~head], chain[~head], island[~head], joints, arm_trunk
    )
    _head_base(types, p)
    types[internal] = -1
    types = smooth_types(types, indptr, indices)
    types[internal] = -1
    on_midline = p[:, 0] == 0.0  # the build snaps the midline to exactly 0
    regions = region_catalogue()
    key_index = {r["key"]: i for i, r in enumerate(regions)}
    region_index = np.full(len(p), -1)
    for ti, (key, _, sided, _, fallback) in enumerate(REGION_TYPES):
        members = types == ti
        if not sided:
            region_index[members] = key_index[key]
            continue
        if fallback is not None:
            region_index[members & on_midline] = key_index[fallback]
        elif np.any(members & on_midline):
            raise RuntimeError(f"{key} reaches the midline but names no midline region")
        region_index[members & (p[:, 0] > 0)] = key_index[f"{key}_l"]
        region_index[members & (p[:, 0] < 0)] = key_index[f"{key}_r"]
    return region_index, _bands(p, ax, region_index, regions)


def _armpit_apex(p, ax, chain, indptr, indices) -> np.ndarray:
    """The highest point of the arm/trunk seam under the shoulder, on the left (|x|) side."""
    owners = np.repeat(np.arange(len(p)), np.diff(indptr))
    seam = (chain[owners] == "arm") & (chain[indices] == "trunk")
    candidates = np.unique(owners[seam])
    candidates = candidates[(p[candidates, 1] > 0.3) & (p[candidates, 1] < 0.55)]
    # The apex: the seam vertex nearest the trunk's side wall at the lowest point of the fold.
    apex = candidates[np.argmax(p[candidates, 1] - 2.0 * np.abs(p[candidates, 2] - 0.0))]
    return np.array([ax[apex], p[apex, 1], p[apex, 2]])


def _bands(p, ax, region_index, regions) -> np.ndarray:
    """Diaphragm band of every vertex (-1 outside all bands)."""
    y, z = p[:, 1], p[:, 2]
    part = np.array([r["body_part"] for r in regions] + ["none"])[region_index]
    key = np.array([r["key"].removesuffix("_l").removesuffix("_r") for r in regions] + ["none"])[
        region_index
    ]
    trunkish = np.isin(part, ["trunk anterior", "trunk posterior", "perineum"])
    neck = part == "neck"
    band = np.full(len(p), -1)

    def level(y_front: float, y_back: float) -> np.ndarray:
        """A transverse plane tilted from the front (z = 0.12) to the back (z = -0.10)."""
        return y_front + (y_back - y_front) * np.clip((0.12 - z) / 0.22, 0, 1)

    pelvic_parts = trunkish | (key == "hip")
    band[pelvic_parts & (np.abs(y - level(0.045, 0.06)) < 0.03)] = 0
    band[trunkish & (np.abs(y - level(0.345, 0.305)) < 0.025)] = 1
    inlet = (trunkish | neck | (key == "shoulder")) & (ax < 0.1)
    band[inlet & (np.abs(y - level(0.545, 0.588)) < 0.015)] = 2
    # The hyoid level crosses the head's base line: take the jaw and occipital skin there too.
    hyoid = neck | np.isin(key, ["jaw", "occipital"])
    band[hyoid & (ax < 0.08) & (np.abs(y - level(0.612, 0.650)) < 0.01)] = 3
    cranial = np.isin(key, ["occipital", "neck_posterior", "neck_anterior"]) & (z < 0.03)
    band[cranial & (np.abs(y - 0.688) < 0.012)] = 4
    return band
