"""Hands-free charting by voice, offline: push-to-talk commands recognised by pocketsphinx.

vocabulary (from the session's tags and the atlas) -> grammar (JSGF) and pronunciations ->
decoder (pocketsphinx, with a confidence) -> commands (text -> command) -> apply (one
undoable edit). Qt-free; pocketsphinx and sounddevice are imported only where used.
"""
