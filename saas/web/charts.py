"""Charts: plotly figures rendered as HTML fragments, and plotly.js served from the installed
plotly package (never a CDN, nothing copied into the repository).

    init_app(app)            serve /assets/plotly.min.js and add `plotly_script()` to templates
    render(figure)           a figure as a <div> fragment that expects plotly.js on the page

A page with charts puts `{{ plotly_script() }}` in its head block and `{{ chart|safe }}` where
the chart goes. The script is cached by browsers for a day and keyed by the plotly version.
"""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, url_for
from markupsafe import Markup

ENDPOINT = "plotly_js"


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


def _version() -> str:
    import plotly

    return plotly.__version__


def plotly_js() -> Response:
    """plotly.min.js from the installed plotly package."""
    response = Response(_plotly_js(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def plotly_script() -> Markup:
    """The <script> tag that loads plotly.js (for a page's head block)."""
    return Markup('<script src="%s"></script>') % url_for(ENDPOINT, v=_version())


def init_app(app: Flask) -> None:
    """Serve plotly.js and offer `plotly_script()` to templates; calling it twice is harmless."""
    if ENDPOINT in app.view_functions:
        return
    app.add_url_rule("/assets/plotly.min.js", endpoint=ENDPOINT, view_func=plotly_js)
    app.jinja_env.globals["plotly_script"] = plotly_script


def render(figure, height: int | None = None, post_script: str | None = None) -> str:
    """`figure` (a plotly Figure) as an HTML fragment, without plotly.js, responsive, no plotly logo.
    `post_script` is JavaScript run once the chart is drawn, `{plot_id}` being its element's id."""
    if height is not None:
        figure.update_layout(height=height)
    figure.update_layout(margin={"l": 40, "r": 20, "t": 40, "b": 40})
    return figure.to_html(full_html=False, include_plotlyjs=False,
                          config={"displaylogo": False, "responsive": True}, post_script=post_script)
