/* Site search: loads search.json (built by qi-report) and lists the pages that contain every
   word typed, titles first, with a short extract. Runs only on the search page. */
(function () {
  "use strict";

  var form = document.getElementById("search-page-form");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !results || !status) {
    return;
  }
  var root = form.dataset.root || "";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function extract(text, word) {
    var at = fold(text).indexOf(word);
    if (at < 0) {
      return text.slice(0, 160);
    }
    var start = Math.max(0, at - 60);
    return (start > 0 ? "\u2026" : "") + text.slice(start, start + 180) + "\u2026";
  }

  function show(entries, query) {
    results.textContent = "";
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) {
      status.textContent = "Type a word or two to search editions, stories and measures.";
      return;
    }
    var found = [];
    entries.forEach(function (entry) {
      var title = fold(entry.t);
      var all = title + " " + fold(entry.s) + " " + fold(entry.x);
      if (words.every(function (w) { return all.indexOf(w) >= 0; })) {
        var score = words.filter(function (w) { return title.indexOf(w) >= 0; }).length;
        found.push({ entry: entry, score: score });
      }
    });
    found.sort(function (a, b) { return b.score - a.score || a.entry.t.localeCompare(b.entry.t); });
    status.textContent = found.length === 1 ? "1 result for \u201c" + query + "\u201d"
      : found.length + " results for \u201c" + query + "\u201d";
    found.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "search-result";
      var kind = document.createElement("p");
      kind.className = "eyebrow";
      kind.textContent = item.entry.k;
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = root + item.entry.u;
      link.textContent = item.entry.t;
      heading.appendChild(link);
      var text = document.createElement("p");
      text.textContent = extract(item.entry.s + " " + item.entry.x, words[0]);
      li.appendChild(kind);
      li.appendChild(heading);
      li.appendChild(text);
      results.appendChild(li);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  var input = form.querySelector("input[name=q]");
  if (input) {
    input.value = query;
  }
  status.textContent = "Searching\u2026";
  fetch(root + "search.json")
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (entries) { show(entries, query.trim()); })
    .catch(function () {
      status.textContent = "Search needs the site to be served by a web server; it cannot run from files on disk.";
    });
})();
