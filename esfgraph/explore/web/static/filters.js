// The search filters are a disclosure: open on a wide screen, closed on a phone so that the
// results come right after the "Filters" button (without scripts they simply stay open).
(function () {
  var box = document.getElementById("filters");
  if (box && window.matchMedia && window.matchMedia("(max-width: 820px)").matches) {
    box.open = false;
  }
})();
