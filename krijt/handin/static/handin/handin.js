// Tells about a file that is too big as soon as it is chosen, before a slow phone upload starts.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var tooBig = Array.prototype.filter.call(input.files || [], function (f) { return f.size > max; });
    var note = document.getElementById(input.id + "_size");
    if (tooBig.length) {
      var message = input.getAttribute("data-too-big").replace("%s", tooBig.map(function (f) { return f.name; }).join(", "));
      input.setCustomValidity(message);
      if (note) { note.textContent = message; note.hidden = false; }
    } else {
      input.setCustomValidity("");
      if (note) { note.textContent = ""; note.hidden = true; }
    }
  });
})();
