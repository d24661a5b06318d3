// The waiting page: when the teacher has joined, the answer to the page's question carries a join form
// marked data-live-autojoin, which is sent at once (its button stays for whoever the browser stops).
(function () {
  "use strict";
  function autojoin(root) {
    var form = root && root.querySelector ? root.querySelector("form[data-live-autojoin]") : null;
    if (form && !form.dataset.sent) {
      form.dataset.sent = "1";
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  }
  document.addEventListener("htmx:afterSwap", function (event) { autojoin(document); });
  document.addEventListener("DOMContentLoaded", function () { autojoin(document); });
})();
