// Dashboards: tiles dragged (Sortable) and resized (the corner handle) on a 12-column grid, the
// layout saved as it changes; a click on a bar, slice or point opens the records behind it.
// The widget editor reloads when its kind or its records change (the field lists change).
(function () {
  "use strict";

  // Called by each chart once plotly has drawn it (post_script): points carry their records' address.
  window.orchardWidgetClicks = function (plot) {
    if (!plot || !plot.on || plot.dataset.clicks) return;
    plot.dataset.clicks = "1";
    plot.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var url = point && (point.customdata || (point.data && point.data.customdata && point.data.customdata[point.pointNumber]));
      if (Array.isArray(url)) url = url[0];
      if (typeof url === "string" && url.charAt(0) === "/") window.location.assign(url);
    });
  };

  function csrfToken() {
    var holder = document.body.getAttribute("hx-headers");
    try { return JSON.parse(holder)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function saveLayout(grid) {
    var url = grid.dataset.layoutUrl;
    if (!url) return;
    var tiles = Array.prototype.map.call(grid.querySelectorAll(".grid-tile"), function (tile) {
      return {id: Number(tile.dataset.tileId), w: Number(tile.dataset.w), h: Number(tile.dataset.h)};
    });
    fetch(url, {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
                body: JSON.stringify({tiles: tiles})})
      .then(function (response) { grid.dataset.saved = response.ok ? String(Date.now()) : "error"; });
  }

  function resizePlots(tile) {
    if (!window.Plotly) return;
    tile.querySelectorAll(".js-plotly-plot").forEach(function (plot) { window.Plotly.Plots.resize(plot); });
  }

  function startResize(event, tile, grid) {
    event.preventDefault();
    var columnWidth = grid.getBoundingClientRect().width / 12;
    var rowHeight = 380;
    var startX = event.clientX, startY = event.clientY;
    var startW = Number(tile.dataset.w), startH = Number(tile.dataset.h);
    function move(e) {
      var w = Math.max(3, Math.min(12, startW + Math.round((e.clientX - startX) / columnWidth)));
      var h = Math.max(1, Math.min(3, startH + Math.round((e.clientY - startY) / rowHeight)));
      tile.dataset.w = w; tile.dataset.h = h;
      tile.style.gridColumn = "span " + w; tile.style.gridRow = "span " + h;
    }
    function stop() {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", stop);
      if (Number(tile.dataset.w) !== startW || Number(tile.dataset.h) !== startH) {
        resizePlots(tile);
        saveLayout(grid);
      }
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", stop);
  }

  function initGrid() {
    var grid = document.getElementById("dashboard-grid");
    if (!grid || !grid.dataset.layoutUrl) return;
    if (window.Sortable) {
      window.Sortable.create(grid, {handle: ".tile-head", draggable: ".grid-tile", animation: 150,
                                    filter: "a, button", preventOnFilter: false,
                                    onEnd: function () { saveLayout(grid); }});
    }
    grid.querySelectorAll(".resize-handle").forEach(function (handle) {
      handle.addEventListener("pointerdown", function (event) { startResize(event, handle.closest(".grid-tile"), grid); });
    });
  }

  function initEditor() {
    var form = document.getElementById("widget-form");
    if (!form) return;
    form.querySelectorAll("select[data-reload]").forEach(function (select) {
      select.addEventListener("change", function (event) {
        event.stopPropagation();
        var url = new URL(window.location.href);
        url.searchParams.set(select.dataset.reload, select.value);
        url.searchParams.set("name", form.querySelector("[name=name]").value);
        window.location.assign(url.toString());
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initGrid(); initEditor(); });
})();
