// A busy or catching-up page tries the same address again after the server's Retry-After, and can be
// stopped (WCAG 2.2.1: a time limit the reader can turn off). Instead of a
// <meta http-equiv="refresh">, which the reader cannot stop.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-retry-after") || "", 10);
  if (!(seconds > 0)) { return; }
  var stop = document.querySelector("[data-stop-retry]");
  var timer = window.setInterval(function () {
    seconds -= 1;
    if (seconds <= 0) {
      window.clearInterval(timer);
      window.location.reload();
    }
  }, 1000);
  if (stop) {
    stop.hidden = false;
    stop.addEventListener("click", function () {
      window.clearInterval(timer);
      stop.hidden = true;
      var note = document.querySelector("[data-retry-note]");
      if (note) { note.hidden = true; }
    });
  }
})();
