// The sign-in waiting room: count down from Retry-After, then send the form once the password is there.
(function () {
  "use strict";
  var form = document.getElementById("waiting-form");
  var note = document.getElementById("waiting-countdown");
  if (!form || !note) return;
  var password = form.querySelector("input[name=password]");
  var seconds = parseInt(note.getAttribute("data-seconds"), 10) || 5;
  // Up to a second of jitter, so that everyone refused in the same second does not return together.
  var deadline = Date.now() + seconds * 1000 + Math.floor(Math.random() * 1000);
  var sent = false;
  function send() {
    if (sent) return;
    if (!password.value) {
      note.textContent = note.getAttribute("data-need-password");
      password.focus();
      return;
    }
    sent = true;
    note.textContent = note.getAttribute("data-ready");
    form.submit();
  }
  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      send();
      return;
    }
    note.textContent = note.getAttribute("data-left").replace("%s", left);
    window.setTimeout(tick, 250);
  }
  form.addEventListener("submit", function () { sent = true; });
  tick();
})();
