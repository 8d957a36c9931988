/* Live reload for `qi-report serve`: added to each page as it is served, never built. */
(function () {
  "use strict";
  var me = new URL(document.currentScript.src);
  var build = Number(me.searchParams.get("build"));
  var status = new URL("status", me).href;
  var shown = "[]";
  var banner = null;

  function show(problems) {
    var key = JSON.stringify(problems);
    if (key === shown) return;
    shown = key;
    if (banner) banner.remove();
    banner = null;
    if (!problems.length) return;
    banner = document.createElement("div");
    banner.id = "qi-serve-problems";
    banner.setAttribute("role", "alert");
    banner.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
      "max-height:50vh;overflow:auto;padding:1rem 1.5rem;background:#ffeb3b;color:#000;" +
      "border-bottom:4px solid #000;font:1rem/1.5 system-ui,sans-serif;text-align:left";
    var heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:bold;font-size:1.125rem";
    heading.textContent = problems.length + (problems.length === 1 ? " problem" : " problems") +
      " found. This page is the last good build; fix the file and it will reload.";
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.5rem;font-family:ui-monospace,monospace";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem.text;
      list.appendChild(item);
    });
    banner.append(heading, list);
    document.body.prepend(banner);
  }

  function poll() {
    fetch(status, { cache: "no-store" })
      .then(function (answer) { return answer.json(); })
      .then(function (state) {
        if (state.build !== build) return location.reload();
        show(state.problems);
        setTimeout(poll, 300);
      })
      .catch(function () { setTimeout(poll, 1000); });  // stopped or restarting: keep asking
  }
  poll();
})();
