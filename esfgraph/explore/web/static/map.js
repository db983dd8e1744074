// esfgraph map: name and value of the area under the pointer or keyboard focus, in a live box
// beside the map (the SVG <title> already shows on hover; focus has no tooltip of its own).
(function () {
  "use strict";
  var map = document.querySelector("svg.map");
  var info = document.getElementById("map-info");
  if (!map || !info) { return; }
  var idle = info.textContent;
  function show(ev) {
    var area = ev.target.closest ? ev.target.closest("a.area") : null;
    info.textContent = area ? area.getAttribute("aria-label") : idle;
  }
  map.addEventListener("mouseover", show);
  map.addEventListener("focusin", show);
  map.addEventListener("mouseleave", function () { info.textContent = idle; });
})();
