// Keyboard movement in the score grid: arrows move between cells, Enter moves down. Saving happens on
// "change" (htmx), which fires when the cell is left, so moving on is saving.
(function () {
  "use strict";
  function cellAt(table, row, col) {
    var r = table.tBodies[0].rows[row];
    if (!r) return null;
    var c = r.cells[col];
    return c ? c.querySelector("input.rs-input") : null;
  }
  function move(input, dRow, dCol) {
    var td = input.closest("td"), tr = td.parentElement, table = tr.closest("table");
    var row = tr.sectionRowIndex + dRow, col = td.cellIndex + dCol;
    var next = cellAt(table, row, col);
    if (next) { next.focus(); next.select(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("rs-input")) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var moved = false;
    if (event.key === "Enter") moved = move(input, event.shiftKey ? -1 : 1, 0) || (input.blur(), input.focus(), true);
    else if (event.key === "ArrowDown") moved = move(input, 1, 0);
    else if (event.key === "ArrowUp") moved = move(input, -1, 0);
    else if (event.key === "ArrowLeft" && atStart) moved = move(input, 0, -1);
    else if (event.key === "ArrowRight" && atEnd) moved = move(input, 0, 1);
    if (moved) event.preventDefault();
  });
  // A refused value comes back as 422 with the cell and its message: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Keep focus where the person is when the cell they are in is replaced; a refused value takes the focus
  // back to its cell (even when Enter or an arrow already moved on), so it is corrected at once.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target.querySelector("input.rs-input[aria-invalid=true]");
    if (invalid) { invalid.focus(); invalid.select(); return; }
    var active = document.activeElement;
    if (active === document.body) {
      var again = event.detail.target.querySelector("input.rs-input");
      if (again) again.focus();
    }
  });
})();
