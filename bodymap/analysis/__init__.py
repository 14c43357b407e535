"""What BodyMap concludes from stored records: comparisons, trends, per-session figures.

One service for the command line, the PDF exports and the compare window. It lies above the
store (it reads records through :class:`~bodymap.store.Store`) and below every user: it may
import core, io and store, never Qt, VTK, render, export or ui.
"""
