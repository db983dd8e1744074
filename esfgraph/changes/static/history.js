// Fills the "History" section of a project card from /changes.json (no inline script: CSP).
(function () {
  var box = document.querySelector("[data-history]");
  if (!box) { return; }
  var list = box.querySelector("ol");
  var sv = (document.documentElement.lang || "sv") === "sv";
  var STATUS = sv ? {added: "nytt", removed: "borttaget", restored: "tillbaka", changed: "ändrat"}
                  : {added: "new", removed: "removed", restored: "back again", changed: "changed"};
  function day(iso) {  // "5 dec. 2026" / "5 Dec 2026", as on the pages
    var d = new Date(iso.slice(0, 10) + "T00:00:00Z");
    if (isNaN(d)) { return iso.slice(0, 10); }
    return d.toLocaleDateString(sv ? "sv-SE" : "en-GB",
                                {day: "numeric", month: "short", year: "numeric", timeZone: "UTC"});
  }
  fetch(box.getAttribute("data-history"), {headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : {changes: []}; })
    .then(function (data) {
      var items = data.changes || [];
      box.querySelector(".history-state").textContent = items.length ? "" :
        (sv ? "Inga ändringar registrerade sedan loggen började." : "No changes recorded since the log began.");
      items.forEach(function (c) {
        var li = document.createElement("li");
        var head = document.createElement("strong");
        head.textContent = day(c.when) + " · " + (STATUS[c.status] || c.status);
        li.appendChild(head);
        (c.fields || []).forEach(function (f) {
          var p = document.createElement("div");
          p.textContent = f.text || (f.label || f.field) + ": " + (f.old.join(", ") || "–") + " → " + (f.new.join(", ") || "–");
          li.appendChild(p);
        });
        list.appendChild(li);
      });
    })
    .catch(function () {});
})();
