/* The compose page: choosing recipients from the suggestions, removing them, and simple formatting. */
(function () {
  "use strict";
  function chosen() { return document.getElementById("msg-chosen"); }
  function search() { return document.getElementById("msg-to-q"); }
  function options() { return document.getElementById("msg-options"); }
  function changed() { document.body.dispatchEvent(new CustomEvent("msg-recipients", { bubbles: true })); }

  function addChip(value, label) {
    var list = chosen();
    var present = Array.prototype.some.call(list.querySelectorAll("input[name=to]"), function (i) { return i.value === value; });
    if (!present) {
      var li = document.createElement("li");
      li.className = "msg-chip";
      var v = document.createElement("input"); v.type = "hidden"; v.name = "to"; v.value = value;
      var l = document.createElement("input"); l.type = "hidden"; l.name = "to_label"; l.value = label;
      var span = document.createElement("span"); span.textContent = label;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "msg-chip-remove"; remove.textContent = "\u00d7";
      remove.setAttribute("aria-label", (list.dataset.removeLabel || "Remove") + " " + label);
      li.append(v, l, span, document.createTextNode(" "), remove);
      list.appendChild(li);
      changed();
    }
    search().value = "";
    options().innerHTML = "";
    search().focus();
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest(".msg-option");
    if (option) { addChip(option.dataset.value, option.dataset.label); return; }
    var remove = event.target.closest(".msg-chip-remove");
    if (remove) { remove.closest("li").remove(); changed(); search().focus(); return; }
    var tool = event.target.closest(".msg-toolbar button");
    if (tool) { format(tool.dataset.md); }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.id === "msg-to-q") {
      var first = options().querySelector(".msg-option");
      if (event.key === "Enter") { event.preventDefault(); if (first) { first.click(); } }
      if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
      return;
    }
    if (input.classList && input.classList.contains("msg-option")) {
      var all = Array.prototype.slice.call(options().querySelectorAll(".msg-option"));
      var at = all.indexOf(input);
      if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : search()).focus(); }
      if (event.key === "Escape") { options().innerHTML = ""; search().focus(); }
    }
  });

  // The toolbar writes Markdown, which the server turns into the safe set of HTML (the preview shows it):
  // nobody ever sees a tag.
  function format(kind) {
    var area = document.getElementById("id_body");
    if (!area) { return; }
    var start = area.selectionStart, end = area.selectionEnd, text = area.value.slice(start, end);
    var before, after, placeholder;
    if (kind === "list") {
      // The selected lines, or the line the caret is on, become list items.
      start = area.value.lastIndexOf("\n", start - 1) + 1;
      var lineEnd = area.value.indexOf("\n", Math.max(end - 1, start));
      end = lineEnd === -1 ? area.value.length : lineEnd;
      var lines = area.value.slice(start, end).split(/\n/);
      var out = lines.map(function (line) { return /^- /.test(line) ? line : "- " + line; }).join("\n");
      area.setRangeText(out, start, end, "end");
    } else if (kind === "link") {
      placeholder = "https://";
      before = "[" + (text || area.dataset.linkText || "link") + "](";
      area.setRangeText(before + placeholder + ")", start, end, "start");
      area.setSelectionRange(start + before.length, start + before.length + placeholder.length);
    } else {
      var mark = kind === "bold" ? "**" : "_";
      area.setRangeText(mark + text + mark, start, end, "select");
      area.setSelectionRange(start + mark.length, start + mark.length + text.length);
    }
    area.focus();
    document.body.dispatchEvent(new CustomEvent("msg-formatted", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "id_body" || !(event.ctrlKey || event.metaKey)) { return; }
    var key = event.key.toLowerCase();
    if (key === "b" || key === "i") {
      event.preventDefault();
      format(key === "b" ? "bold" : "italic");
    }
  });
})();
