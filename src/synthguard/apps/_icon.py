"""The workbench's tab icon, drawn here so that the browser fetches nothing from the internet."""

from __future__ import annotations

from typing import Any


def favicon() -> Any:
    """A 64x64 shield (PIL image); Streamlit serves it from its own ``/media/`` route."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).polygon([(32, 4), (58, 14), (54, 40), (32, 60), (10, 40), (6, 14)],
                                  fill=(38, 99, 235, 255))
    return image
