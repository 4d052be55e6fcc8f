/* Draws the graphs of plantrace's pages with vis-network (served from /static/vis).
   The data is JSON in the data-graph attribute of each .graph element. Tooltips are built
   with textContent: no text from the documents is ever parsed as HTML. A click on a node
   opens its page (only same-site paths are followed). */
(function () {
  "use strict";
  /* the path the service is served under (PLANTRACE_BASE_URL), "" at the root */
  var ROOT = document.documentElement.getAttribute("data-root") || "";

  function tip(text) {
    var el = document.createElement("div");
    el.className = "graph-tip";
    el.textContent = text;
    return el;
  }

  var READABLE = 0.6;

  /* Fit the whole graph; on a narrow screen, where that would make the labels unreadable,
     show the start of the graph (top left) at a readable scale instead: drag to see more. */
  function frame(network, target) {
    network.fit();
    if (network.getScale() >= READABLE) { return; }
    var positions = network.getPositions();
    var xs = [], ys = [];
    Object.keys(positions).forEach(function (id) { xs.push(positions[id].x); ys.push(positions[id].y); });
    if (!xs.length) { return; }
    var w = target.clientWidth, h = target.clientHeight;
    network.moveTo({
      scale: READABLE,
      position: { x: Math.min.apply(null, xs) - 115 + w / 2 / READABLE,
                  y: Math.min.apply(null, ys) - 40 + h / 2 / READABLE }
    });
  }

  function draw(box) {
    var data;
    try {
      data = JSON.parse(box.getAttribute("data-graph"));
    } catch (e) {
      box.setAttribute("data-error", String(e));
      return;
    }
    var urls = {};
    data.nodes.forEach(function (n) {
      if (typeof n.url === "string" && n.url.charAt(0) === "/" && n.url.charAt(1) !== "/") {
        urls[n.id] = ROOT + n.url;
      }
      if (typeof n.title === "string") { n.title = tip(n.title); }
    });
    data.edges.forEach(function (e) {
      if (typeof e.title === "string" && e.title) { e.title = tip(e.title); } else { delete e.title; }
    });
    var target = box.querySelector(".graph-canvas") || box;
    var network = new vis.Network(
      target,
      { nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges) },
      data.options
    );
    network.once("afterDrawing", function () {
      frame(network, target);
      box.setAttribute("data-drawn", "true");
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      frame(network, target);
    });
    box.plantraceNetwork = network; /* for the browser tests and the developer console */
    network.on("click", function (params) {
      if (params.nodes.length === 1 && urls[params.nodes[0]]) {
        window.location.href = urls[params.nodes[0]];
      }
    });
    network.on("hoverNode", function () { target.style.cursor = "pointer"; });
    network.on("blurNode", function () { target.style.cursor = "default"; });
  }

  function start() {
    if (typeof vis === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".graph[data-graph]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
