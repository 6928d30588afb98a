// Live reload for `build.py serve` (never part of a published site). Served from the preview's
// own address, so the pages' Content-Security-Policy (script-src 'self') lets it run.
// It waits for a version of the site newer than the one this page belongs to, then reloads.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="explainer-preview"]');
  if (!meta || !window.fetch) return;
  var version = meta.getAttribute("content");
  var stopped = false;
  function wait() {
    if (stopped) return;
    var ask = "/__explainer__/reload?since=" + encodeURIComponent(version) + "&page=" + encodeURIComponent(window.location.pathname);
    fetch(ask, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (live) {
        if (live && live !== version) {
          stopped = true;
          window.location.reload();
        } else {
          wait();
        }
      })
      .catch(function () {
        setTimeout(wait, 1000);  // the server restarts or stops: try again
      });
  }
  window.addEventListener("pagehide", function () { stopped = true; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { stopped = false; wait(); }  // back from the back-forward cache
  });
  wait();
})();
