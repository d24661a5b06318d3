// Several files by drag-and-drop or the file picker, each sent on its own with its progress shown, so one
// slow or refused file does not hold up the others. Without JavaScript the form sends them all at once.
(function () {
  "use strict";
  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".dropzone");
    var list = form.querySelector("[data-progress]");
    if (!input || !zone || !list || !window.FormData || !window.XMLHttpRequest) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      event.preventDefault();
      list.hidden = false;
      list.textContent = "";
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var failed = 0;
      var rows = files.map(function (file) {
        var item = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = file.name;
        var bar = document.createElement("progress");
        bar.max = 100;
        bar.value = 0;
        bar.setAttribute("aria-label", file.name);
        var note = document.createElement("span");
        note.className = "muted";
        item.appendChild(label);
        item.appendChild(bar);
        item.appendChild(note);
        list.appendChild(item);
        return { file: file, bar: bar, note: note };
      });
      function send(index) {
        if (index >= rows.length) {
          if (!failed) { window.location.reload(); }
          else if (button) { button.disabled = false; }
          return;
        }
        var row = rows[index];
        var data = new FormData();
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field.name && field.type !== "file" && field.type !== "submit") data.append(field.name, field.value);
        });
        data.append("files", row.file);
        var request = new XMLHttpRequest();
        request.open("POST", form.getAttribute("action") || window.location.href);
        request.setRequestHeader("Accept", "application/json");
        request.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) row.bar.value = Math.round((e.loaded / e.total) * 100);
        });
        request.addEventListener("load", function () {
          var answer = {};
          try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
          if (request.status === 201) {
            row.bar.value = 100;
            row.note.textContent = " " + (form.getAttribute("data-done") || "✓");
          } else {
            failed += 1;
            row.note.textContent = " " + (answer.error || request.statusText);
            row.note.className = "error-text";
          }
          send(index + 1);
        });
        request.addEventListener("error", function () {
          failed += 1;
          row.note.textContent = " " + (form.getAttribute("data-failed") || "");
          send(index + 1);
        });
        request.send(data);
      }
      send(0);
    });
  }
  document.querySelectorAll("form[data-upload]").forEach(setup);
})();
