"""WCAG 2.1 AA for every button style: the text of each Bootstrap button variant, in its normal,
hover and active states, has a contrast ratio of at least 4.5:1 against what is behind it (its
own background, or for outline and link buttons the page, a card, or the dark navigation bar).

The colours are read from the CSS the pages load, in their order: the vendored Bootstrap, then
static/css/yishi.css, whose `.btn-*` rules override Bootstrap's custom properties."""

import re
from pathlib import Path

import pytest
from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
SHEETS = [STATIC / "vendor" / "bootstrap" / "bootstrap.min.css", STATIC / "css" / "yishi.css"]
AA = 4.5
VARIANTS = ["primary", "secondary", "success", "info", "warning", "danger", "dark", "light"]
PAGE, CARD, NAVBAR = "#f6f7f9", "#ffffff", "#212529"  # body (yishi.css), cards, navbar bg-dark
STATES = [("color", "bg"), ("hover-color", "hover-bg"), ("active-color", "active-bg")]
RULE = re.compile(r"(?<![\w-])\.btn-([a-z-]+)\s*\{([^{}]*)\}")
PROPERTY = re.compile(r"--bs-btn-([a-z-]+)\s*:\s*([^;]+)")


def _top_level(css: str) -> str:
    """The CSS outside @media blocks (print rules do not colour the screen's buttons)."""
    out, depth, i = [], 0, 0
    while i < len(css):
        if css.startswith("@media", i):
            j = css.index("{", i)
            depth, i = 1, j + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(css[i], 0)
                i += 1
            continue
        out.append(css[i])
        i += 1
    return "".join(out)


def _root_vars() -> dict[str, str]:
    css = SHEETS[0].read_text()
    root = re.search(r":root,\[data-bs-theme=light\]\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"(--bs-[a-z0-9-]+):([^;]+)", root))


def button_colours() -> dict[str, dict[str, str]]:
    """{variant: {property: value}} after every sheet, later sheets winning."""
    roots = _root_vars()
    found: dict[str, dict[str, str]] = {}
    for sheet in SHEETS:
        for name, body in RULE.findall(_top_level(sheet.read_text())):
            props = found.setdefault(name, {})
            for key, value in PROPERTY.findall(body):
                value = value.strip()
                var = re.fullmatch(r"var\((--bs-[a-z0-9-]+)\)", value)
                props[key] = roots.get(var.group(1), value) if var else value
    return found


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip().lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_formula_gives_the_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey
    assert contrast("#ffc107", "#ffffff") < 2  # Bootstrap's yellow as text: what the test is for


def pairs():
    colours = button_colours()
    for kind in VARIANTS + [f"outline-{v}" for v in VARIANTS] + ["link"]:
        props = colours[kind]
        behind = [NAVBAR] if kind == "outline-light" else [PAGE, CARD]  # outline-light: on the navbar
        for fg_key, bg_key in STATES:
            fg = props.get(fg_key) or props["color"]
            bg = props.get(bg_key, "transparent")
            for ground in [bg] if bg != "transparent" else behind:
                yield kind, fg_key.removesuffix("color").rstrip("-") or "normal", fg, ground


@pytest.mark.parametrize(("kind", "state", "fg", "bg"), list(pairs()))
def test_every_button_state_reaches_aa(kind, state, fg, bg):
    assert contrast(fg, bg) >= AA, f".btn-{kind} ({state}): {fg} on {bg} is {contrast(fg, bg):.2f}:1"
