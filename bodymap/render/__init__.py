"""The VTK scene, markers, the brush ring and a session's view on a scene.

Mesa's software OpenGL (llvmpipe) is asked to rasterise in the thread that draws
(``LP_NUM_THREADS=0``) unless the environment says otherwise: with rasterizer threads it
queues whole frames of binned triangles, 250 to 330 MiB more at 1M vertices, for frames no
faster on this machine (the same pixels; see the README's Performance section). The
variable is read when the first OpenGL context is made, after this package is imported;
other OpenGL drivers ignore it.
"""

import os

os.environ.setdefault("LP_NUM_THREADS", "0")
