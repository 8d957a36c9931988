/* Draws each chart from the JSON that sits beside it, then labels the drawing for assistive
   technology: the plot's SVG becomes one image named by the chart's title and described by its
   written summary. Written for qi-report; loaded with defer after plotly.js. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function label(div) {
    var svgs = div.querySelectorAll("svg.main-svg");
    svgs.forEach(function (svg, index) {
      if (index === 0) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-labelledby", div.id + "-title");
        svg.setAttribute("aria-describedby", div.dataset.summary);
      } else {
        svg.setAttribute("aria-hidden", "true");
      }
    });
  }

  function draw(div) {
    var figure = readJson(div.dataset.figure);
    var config = readJson(div.dataset.config) || {};
    if (!figure || typeof Plotly === "undefined") {
      return;
    }
    Plotly.newPlot(div, figure.data, figure.layout, config).then(function () {
      label(div);
      div.on("plotly_afterplot", function () { label(div); });
    });
  }

  document.querySelectorAll(".chart__plot[data-figure]").forEach(draw);
})();
