// A lesson's register: mark an absentee by typing a name, live counts, and marks that are never lost.
// When Krijt cannot be reached (no network, the server busy or down), the marks stay on this device and
// are sent again until the server has them; the page says so. The save is idempotent (the form's key),
// so sending it twice changes nothing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-register]");
  if (!form) return;
  var storeKey = "krijt.register:" + location.pathname;
  var pendingBox = form.querySelector("[data-pending]");
  var counts = form.querySelector("[data-counts]");
  var rows = Array.prototype.slice.call(form.querySelectorAll(".at-row"));
  var retryDelay = 5000;
  var timer = null;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function statusOf(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "present";
  }

  function showCounts() {
    if (!counts) return;
    var n = { present: 0, absent: 0, late: 0, not_expected: 0 };
    rows.forEach(function (row) { n[statusOf(row)] = (n[statusOf(row)] || 0) + 1; });
    counts.textContent = counts.getAttribute("data-template")
      .replace("{present}", n.present).replace("{absent}", n.absent)
      .replace("{late}", n.late).replace("{away}", n.not_expected);
  }

  // Type a name, press Enter: that student is marked absent.
  var quick = form.querySelector(".at-quick");
  if (quick) {
    quick.hidden = false;
    var input = quick.querySelector("input");
    // The field was hidden while the page loaded (it needs this script), so autofocus did not apply.
    if (input.hasAttribute("autofocus")) input.focus();
    var said = quick.querySelector("[role=status]");
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var wanted = fold(input.value);
      if (!wanted) return;
      var exact = rows.filter(function (row) { return fold(row.getAttribute("data-name")) === wanted; });
      var found = exact.length ? exact : rows.filter(function (row) {
        var name = fold(row.getAttribute("data-name"));
        return name.indexOf(wanted) === 0 || name.split(/\s+/).some(function (part) { return part.indexOf(wanted) === 0; });
      });
      if (found.length === 1) {
        var radio = found[0].querySelector("input[value=absent]");
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        said.textContent = quick.getAttribute("data-absent-text").replace("{name}", found[0].getAttribute("data-name"));
        input.value = "";
      } else if (found.length === 0) {
        said.textContent = quick.getAttribute("data-none-text");
      } else {
        said.textContent = quick.getAttribute("data-many-text").replace("{n}", found.length);
      }
    });
  }

  form.addEventListener("change", showCounts);
  showCounts();

  function pending(text) { if (pendingBox) pendingBox.textContent = text || ""; }

  function save(entries) {
    var body = new FormData();
    entries.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(form.getAttribute("action") || location.href, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  function keep(entries) {
    try { localStorage.setItem(storeKey, JSON.stringify({ entries: entries, at: Date.now() })); } catch (e) { /* private mode */ }
  }

  function forget() {
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  }

  function send(entries) {
    pending(form.getAttribute("data-sending-text"));
    return save(entries).then(function (response) {
      if (response.status === 204) {
        forget();
        location.assign(location.pathname);
        return;
      }
      if (response.status >= 500 || response.status === 429) throw new Error("later");
      // Refused: a mistake in the marks (the page says which), or signed out (a redirect to the sign-in
      // page: the marks stay on this device and go out when the register is opened again). The browser
      // shows the answer.
      if (response.status === 400 || response.status === 404) forget();
      else keep(entries);
      form.removeEventListener("submit", onSubmit);
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      keep(entries);
      pending(form.getAttribute("data-pending-text"));
      clearTimeout(timer);
      timer = setTimeout(function () { send(entries); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    });
  }

  function onSubmit(event) {
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();
    var entries = [];
    new FormData(form).forEach(function (value, name) { entries.push([name, String(value)]); });
    send(entries);
  }

  form.addEventListener("submit", onSubmit);
  window.addEventListener("online", function () {
    var stored = load();
    if (stored) { retryDelay = 5000; send(stored.entries); }
  });

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  // Marks kept from an earlier visit that did not reach Krijt: show them and send them again, unless the
  // register was saved with them since (its key is the one the server has).
  var stored = load();
  var storedKey = stored && stored.entries ? (stored.entries.filter(function (pair) { return pair[0] === "key"; })[0] || [])[1] : null;
  if (storedKey && storedKey === form.getAttribute("data-taken-key")) {
    forget();
    stored = null;
  }
  if (stored && stored.entries) {
    stored.entries.forEach(function (pair) {
      var field = form.elements.namedItem(pair[0]);
      if (!field || pair[0] === "csrfmiddlewaretoken") return;
      if (field instanceof RadioNodeList) {
        Array.prototype.forEach.call(field, function (radio) { radio.checked = radio.value === pair[1]; });
      } else {
        field.value = pair[1];  // the key too: a save of these marks is the same save
      }
    });
    showCounts();
    send(stored.entries);
  }
})();
