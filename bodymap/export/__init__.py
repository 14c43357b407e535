"""Exports: what a practitioner takes out of BodyMap, on purpose.

* images (:mod:`~bodymap.export.images`): PNG of any standard views, or a sheet of four,
  with a header and a legend; rendered off-screen, no display needed;
* reports (:mod:`~bodymap.export.session_report`, :mod:`~bodymap.export.compare_report`):
  PDF on A4 or Letter, fonts embedded, optionally without emotional content;
* data (:mod:`~bodymap.export.data`, :mod:`~bodymap.export.record_json`,
  :mod:`~bodymap.export.client_record`): statistics as CSV and JSON, the complete session
  or client record as re-importable JSON (``docs/EXPORT_FORMAT.md``);
* 3D (:mod:`~bodymap.export.mesh3d`): the painted body as vertex-coloured PLY and GLB.

Layering: imports core, io, store, render, numpy, trimesh, matplotlib (never pyplot) and
PyQt6's QtCore and QtGui; never QtWidgets, pyvistaqt or the ui (``tests/test_layering.py``).
Every file is written atomically and privately, and logged (``export``) in the store's audit
log before it lands. Default file names carry ids and dates, never a client's name.

Nothing heavy is imported here: import the submodule you need.
"""

from bodymap.export.errors import ExportCancelled, ExportError, RecordFormatError

__all__ = ["ExportCancelled", "ExportError", "RecordFormatError"]
