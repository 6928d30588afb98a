// Progressive enhancement: each chart is complete as a static SVG; when the reader is active
// and the chart comes near the viewport, it is swapped for an interactive Vega view with tooltips.
// The Vega runtime (built at build time, served by the site itself) loads only then.
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var figures = document.querySelectorAll("figure.explainer-chart[data-spec]");

  // A box that scrolls sideways (a wide data table on a phone) must be reachable by keyboard:
  // it gets a tab stop and a name only while it actually overflows (axe: scrollable-region-focusable).
  var SCROLLERS = ".explainer-chart__table, .md-typeset .md-typeset__scrollwrap";
  function headingBefore(box) {
    var block = box;  // the page-level block that holds the box, then the heading before it
    while (block.parentNode && !(block.parentNode.classList && block.parentNode.classList.contains("md-typeset"))) block = block.parentNode;
    for (var el = block.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.replace(/\u00b6\s*$/, "").trim();
    }
    return "";
  }
  function markScrollers(root) {
    // Measure every box first, then change attributes: interleaving the two made the browser lay
    // the page out again for each box (over a second on the figures appendix's many tables).
    var boxes = Array.prototype.slice.call((root && root.querySelectorAll ? root : document).querySelectorAll(SCROLLERS));
    // A box the browser is not rendering yet (an off-screen block with content-visibility: auto, as
    // the figures appendix's tables) is left until it comes near the viewport: measuring it would lay
    // out every such table at load (80-200 ms at a phone's speed on the appendix, against about 20).
    var scrolling = boxes.map(function (box) {
      if (box.checkVisibility && box.checkVisibility() && !box.checkVisibility({ contentVisibilityAuto: true })) return null;
      var inner = box.parentNode && box.parentNode.closest && box.parentNode.closest(".explainer-chart__table");
      return !inner && box.clientWidth > 0 && box.scrollWidth > box.clientWidth + 1;
    });
    boxes.forEach(function (box, i) {
      var scrolls = scrolling[i];
      if (scrolls === null) return;
      if (scrolls && box.getAttribute("tabindex") !== "0") {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        // Named in the page's own words (its caption, else the heading it sits under and its column
        // headers: tables with the same columns get distinct names), never a word of ours.
        var heads = Array.prototype.map.call(box.querySelectorAll("th"), function (th) { return th.textContent.trim(); });
        var heading = headingBefore(box);
        box.setAttribute("aria-label", caption ? caption.textContent : (heading ? heading + ": " : "") + heads.join(", "));
        box.setAttribute("data-explainer-scroller", "");
      } else if (!scrolls && box.hasAttribute("data-explainer-scroller")) {
        ["tabindex", "role", "aria-label", "data-explainer-scroller"].forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }
  var pending = null;
  function scheduleMark() {
    if (pending) return;
    pending = window.setTimeout(function () { pending = null; markScrollers(); }, 100);
  }
  window.addEventListener("load", function () { markScrollers(); });
  window.addEventListener("resize", scheduleMark);
  document.addEventListener("toggle", scheduleMark, true);  // a <details> data table opened
  // A content-visibility block came near the viewport: measure its boxes now, before the reader
  // (or a fast scroll) has moved on and the browser skips it again.
  document.addEventListener("contentvisibilityautostatechange", function (e) { if (!e.skipped) markScrollers(e.target); }, true);
  if (document.readyState !== "loading") scheduleMark();
  else document.addEventListener("DOMContentLoaded", scheduleMark);

  if (!here || !figures.length || !("IntersectionObserver" in window) || !window.fetch) return;

  var vegaReady = null;
  function loadVega() {
    if (!vegaReady) {
      vegaReady = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL("vega.js", here).href;
        s.async = true;
        s.onload = function () { resolve(window.vega); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return vegaReady;
  }

  // Tooltips are built with textContent only, so data values can never inject markup. The one
  // tooltip lives inside the figure being pointed at (in the page's <main>, not loose in <body>,
  // where it would be content outside every landmark), placed from that figure's own corner: the
  // figure is its containing block (explainer.css).
  var tip = null;
  function tooltip(figure, event, value) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "explainer-tooltip";
      tip.setAttribute("role", "tooltip");
    }
    if (tip.parentNode !== figure) figure.appendChild(tip);
    if (value === null || value === undefined || value === "") { tip.hidden = true; return; }
    tip.textContent = "";
    if (typeof value === "object") {
      Object.keys(value).forEach(function (key) {
        var row = document.createElement("div");
        var label = document.createElement("span");
        label.className = "explainer-tooltip__key";
        label.textContent = key + ": ";
        row.appendChild(label);
        row.appendChild(document.createTextNode(String(value[key])));
        tip.appendChild(row);
      });
    } else {
      tip.textContent = String(value);
    }
    tip.hidden = false;
    // Keep the tooltip inside the viewport, so it never makes the page scroll sideways.
    var box = figure.getBoundingClientRect();
    var right = document.documentElement.clientWidth - tip.offsetWidth - 8;
    tip.style.left = (Math.max(4, Math.min(event.clientX + 12, right)) - box.left) + "px";
    tip.style.top = (event.clientY + 12 - box.top) + "px";
  }

  // The drawing made for phones in a narrow column (the width explainer.css switches at).
  var NARROW_LIMIT = 520;
  function enhance(figure) {
    var narrow = figure.hasAttribute("data-spec-narrow") && figure.clientWidth < NARROW_LIMIT;
    var spec = fetch(figure.getAttribute(narrow ? "data-spec-narrow" : "data-spec")).then(function (r) {
      if (!r.ok) throw new Error("chart spec " + r.status);
      return r.json();
    });
    Promise.all([loadVega(), spec]).then(function (loaded) {
      var vega = loaded[0];
      var still = figure.querySelector(".explainer-chart__static");
      var live = document.createElement("div");
      live.className = "explainer-chart__live";
      still.parentNode.insertBefore(live, still.nextSibling);
      // ast + interpreter: expressions are interpreted, not compiled with new Function (strict CSP).
      // The page's number and date locale (e.g. 28 526, août), written into the spec at build time.
      var locale = loaded[1].usermeta && loaded[1].usermeta.locale;
      var view = new vega.View(vega.parse(loaded[1], null, { ast: true }),
        { renderer: "svg", container: live, hover: true, expr: window.vegaExpressionInterpreter, locale: locale || undefined });
      view.tooltip(function (handler, event, item, value) { tooltip(figure, event, value); });
      // A chart that fits its width (autosize fit-x) is drawn as wide as its column, no wider:
      // its text keeps the size it was designed at instead of being scaled with the SVG.
      var autosize = loaded[1].autosize;
      if (autosize && /^fit/.test(autosize.type || autosize)) view.width(Math.min(live.clientWidth || figure.clientWidth, 720));
      return view.runAsync().then(function () {
        var svg = live.querySelector("svg");
        var label = still.querySelector((narrow ? ".explainer-chart__narrow" : ".explainer-chart__wide") + " svg") || still.querySelector("svg");
        if (svg && label) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-labelledby", label.getAttribute("aria-labelledby"));
          // Vega's own ARIA words are English ("group mark container"): the image is named above.
          Array.prototype.forEach.call(svg.querySelectorAll("[role], [aria-roledescription], [aria-label], [aria-hidden]"), function (el) {
            ["role", "aria-roledescription", "aria-label", "aria-hidden"].forEach(function (a) { el.removeAttribute(a); });
          });
        }
        still.hidden = true;
        figure.classList.add("explainer-chart--live");
      });
    }).catch(function (err) {
      // The static chart stays in place: the page is still complete.
      if (window.console) console.warn("Interactive chart unavailable:", err);
    });
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        enhance(entry.target);
      }
    });
  }, { rootMargin: "400px 0px" });
  // Start only once the reader does something (scrolls, moves the pointer, touches, types):
  // the Vega runtime is large, and a page that is only being loaded or printed never needs it.
  var INTENT = ["scroll", "wheel", "pointermove", "pointerdown", "touchstart", "keydown", "focusin"];
  function start() {
    INTENT.forEach(function (name) { window.removeEventListener(name, start, true); });
    Array.prototype.forEach.call(figures, function (f) { observer.observe(f); });
  }
  INTENT.forEach(function (name) { window.addEventListener(name, start, { capture: true, passive: true }); });
})();
