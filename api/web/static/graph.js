/* Draws the graphs of plantrace's pages with vis-network (served from /static/vis).
   The data is JSON in the data-graph attribute of each .graph element. Tooltips are built
   with textContent: no text from the documents is ever parsed as HTML. A click on a node
   opens its page (only same-site paths are followed).

   vis-network (about 470 KB) is loaded only when a graph comes into view (the address is
   the graph's data-vis attribute), so it never delays the first paint of the page. On a touch
   screen or a narrow one the graph starts inert: a swipe over it scrolls the page, and a button
   ("tap to move the graph") lets it take the swipes, until pressed again. The picture is one
   tab stop, named by the page (role img); the same facts are in the table below it. */
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

  var NARROW = window.matchMedia("(pointer: coarse), (max-width: 640px)");
  /* The smallest scale at which the labels (14 px) stay readable: 0.6 on a large screen,
     0.85 (12 px) on a phone. */
  function readable() { return NARROW.matches ? 0.85 : 0.6; }

  /* Fit the whole graph; where that would make the labels unreadable, show the start of the
     graph (top left) at a readable scale instead: drag to see more. */
  function frame(network, target) {
    network.fit();
    var scale = readable();
    if (network.getScale() >= scale) { return; }
    var positions = network.getPositions();
    var xs = [], ys = [];
    Object.keys(positions).forEach(function (id) { xs.push(positions[id].x); ys.push(positions[id].y); });
    if (!xs.length) { return; }
    var w = target.clientWidth, h = target.clientHeight;
    network.moveTo({
      scale: scale,
      position: { x: Math.min.apply(null, xs) - 115 + w / 2 / scale,
                  y: Math.min.apply(null, ys) - 40 + h / 2 / scale }
    });
  }

  /* Touch screens: the graph takes swipes and pinches only while it is switched on. */
  function switchable(box, network) {
    var button = box.parentNode.querySelector(".graph-activate");
    if (!button || !NARROW.matches) { return; }
    var holder = box.parentNode;
    function set(on) {
      holder.classList.toggle("inert", !on);
      network.setOptions({ interaction: { dragView: on, zoomView: on, dragNodes: on } });
      button.textContent = button.getAttribute(on ? "data-off" : "data-on");
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    button.hidden = false;
    button.addEventListener("click", function () { set(holder.classList.contains("inert")); });
    set(false);
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
    /* one tab stop: the named picture (.graph), not vis-network's own frame inside it */
    Array.prototype.forEach.call(target.querySelectorAll("[tabindex]"), function (el) {
      el.setAttribute("tabindex", "-1");
    });
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
    switchable(box, network);
  }

  var loading = null;

  /* Load vis-network once (a script element: the page's CSP allows this server's scripts). */
  function withVis(src, then) {
    if (typeof vis !== "undefined") { then(); return; }
    if (!loading) {
      loading = [];
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { loading.forEach(function (f) { f(); }); };
      document.head.appendChild(script);
    }
    loading.push(then);
  }

  function start() {
    var boxes = document.querySelectorAll(".graph[data-graph]");
    function show(box) { withVis(box.getAttribute("data-vis"), function () { draw(box); }); }
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(boxes, show);
      return;
    }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          seen.unobserve(entry.target);
          show(entry.target);
        }
      });
    });
    Array.prototype.forEach.call(boxes, function (box) { seen.observe(box); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
