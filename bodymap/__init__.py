"""BodyMap: 3D body charting for CranioSacral Therapy and SomatoEmotional Release."""

__version__ = "0.1.0"
