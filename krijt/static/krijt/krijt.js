// Small behaviours for every page, wired by data attributes: the Content-Security-Policy allows no inline
// scripts or event handlers, so pages mark elements and this file (served from 'self') acts on them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });
  // Times marked data-local are shown in the reader's own time zone, in the page's language (the server
  // wrote them in the platform's zone, named, as the fallback).
  function localTimes(root) {
    if (!window.Intl || !Intl.DateTimeFormat) { return; }
    // Krijt's languages as Belgian readers write dates; English in its one (British) style.
    var locales = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };
    var lang = document.documentElement.lang || "";
    var format = new Intl.DateTimeFormat(locales[lang] || lang || undefined,
      { dateStyle: "full", timeStyle: "short" });
    root.querySelectorAll("time[data-local][datetime]").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (!isNaN(moment.getTime())) { node.textContent = format.format(moment); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localTimes(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target instanceof Element) { localTimes(event.target); }
  });
  // While htmx waits for the server, a thin bar shows at the top (krijt.css: html.is-loading), and the
  // region being replaced says it is busy.
  var pending = 0;
  document.addEventListener("htmx:beforeRequest", function (event) {
    pending += 1;
    document.documentElement.classList.add("is-loading");
    var target = event.detail && event.detail.target;
    if (target instanceof Element) { target.setAttribute("aria-busy", "true"); }
  });
  function done(event) {
    pending = Math.max(0, pending - 1);
    if (!pending) { document.documentElement.classList.remove("is-loading"); }
    var target = event.detail && event.detail.target;
    if (target instanceof Element) { target.removeAttribute("aria-busy"); }
  }
  document.addEventListener("htmx:afterRequest", done);
  // The "More" menu of the phone's bottom bar and the account menu close when one clicks elsewhere or
  // presses Escape, as menus do.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open], .mainnav details[open]").forEach(function (menu) {
      if (!(event.target instanceof Node) || !menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open], .mainnav details[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });
})();
