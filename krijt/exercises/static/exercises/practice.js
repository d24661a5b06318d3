// Practice on the device: one item at a time, scored here (scoring.js) with immediate feedback and hints,
// until the mastery rule holds (m correct of the last n), the pupil stops, or the sitting is long enough.
// The sitting in progress is kept in this browser (a reload continues it). A finished sitting goes to an
// outbox in this browser and is sent once; when Krijt cannot be reached (offline, busy) it stays there and is
// sent again later, from this page or the exercises page. The server files it once per key.
(function () {
  "use strict";
  var OUTBOX = "krijt.exercises.outbox";

  function load(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: kept in memory only */ }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---------------------------------------------------------------- the outbox
  var box = document.querySelector("[data-outbox]");
  var statusEls = document.querySelectorAll("[data-outbox-status]");
  var texts = box ? box.dataset : {};
  var sending = false;
  var retryDelay = 4000;
  var timer = null;

  function say(text) { statusEls.forEach(function (el) { el.textContent = text || ""; }); }

  function mine(entry) { return box && String(entry.user) === box.dataset.user; }

  function flush() {
    if (!box || sending) return;
    var outbox = load(OUTBOX, []);
    var entry = outbox.filter(mine)[0];
    if (!entry) { retryDelay = 4000; return; }
    sending = true;
    say(texts.pending);
    fetch(box.dataset.submit, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf, "X-Requested-With": "fetch" },
      body: JSON.stringify(entry.sitting)
    }).then(function (response) {
      sending = false;
      if (response.status === 200 || response.status === 201) {
        drop(entry.sitting.key);
        say(texts.sent);
        retryDelay = 4000;
        flush();
        return;
      }
      if (response.status >= 400 && response.status < 500 && [401, 403, 408, 429].indexOf(response.status) < 0) {
        // Krijt read it and refused it (too old, no longer assigned): keeping it would not help.
        return response.json().catch(function () { return {}; }).then(function (body) {
          drop(entry.sitting.key);
          var reason = body && body.error ? body.error.message : String(response.status);
          say((texts.refused || "").replace("{reason}", reason));
          flush();
        });
      }
      later();
    }).catch(function () { sending = false; later(); });
  }

  function later() {
    say(texts.pending);
    clearTimeout(timer);
    timer = setTimeout(flush, retryDelay + Math.random() * 1000);
    retryDelay = Math.min(retryDelay * 2, 120000);
  }

  function drop(key) {
    store(OUTBOX, load(OUTBOX, []).filter(function (e) { return e.sitting.key !== key; }));
  }

  function post(sitting) {
    var outbox = load(OUTBOX, []);
    if (!outbox.some(function (e) { return e.sitting.key === sitting.key; })) {
      outbox.push({ user: box.dataset.user, sitting: sitting });
      store(OUTBOX, outbox);
    }
    flush();
  }

  window.addEventListener("online", flush);
  window.KrijtPractice = { flush: flush, outbox: function () { return load(OUTBOX, []); } };
  flush();

  // ---------------------------------------------------------------- practising
  var root = document.querySelector("[data-practice]");
  if (!root) return;
  root.hidden = false;
  var keys = JSON.parse(document.getElementById("ex-keys").textContent);
  var plan = JSON.parse(document.getElementById("ex-sitting").textContent);
  var forms = Array.prototype.slice.call(root.querySelectorAll("form[data-item]"));
  var offset = Number(root.dataset.serverNow) - Date.now();
  var stateKey = "krijt.exercises.sitting:" + box.dataset.user + ":" + plan.assignment;
  var S = KrijtScoring;

  function now() { return new Date(Date.now() + offset).toISOString(); }
  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) { var j = Math.floor(Math.random() * (i + 1)); var t = a[i]; a[i] = a[j]; a[j] = t; }
    return a;
  }
  function indices() { return forms.map(function (_f, i) { return i; }); }

  // A sitting under way keeps the rule it started with, even when the teacher changes it meanwhile.
  var signature = keys.map(function (k) { return k.rev; }).join(",");
  var state = load(stateKey, null);
  if (!state || !Array.isArray(state.answers) || !Array.isArray(state.rule)) state = null;
  if (!state) {
    state = { key: newKey(), started_at: now(), rule: [plan.m, plan.n], answers: [], queue: shuffled(indices()),
              current: null, hints: 0, since: Date.now(), signature: signature };
  } else if (state.signature !== signature) {
    state.queue = shuffled(indices()); state.current = null; state.signature = signature;
  }
  function save() { store(stateKey, state); }

  var goal = root.querySelector("[data-goal-text]");
  var progress = root.querySelector("[data-progress-text]");
  goal.textContent = root.dataset.goal;

  function lastResults() {
    return state.answers.slice(-state.rule[1]).map(function (a) { return a.ok; });
  }
  function mastered() {
    return lastResults().filter(Boolean).length >= state.rule[0];
  }
  function showProgress() {
    var last = lastResults();
    progress.textContent = root.dataset.progress.replace("{k}", last.filter(Boolean).length).replace("{n}", last.length);
  }

  function responseOf(form) {
    var kind = form.dataset.kind;
    var checked;
    if (kind === "single") { checked = form.querySelector("input[name=r]:checked"); return checked ? Number(checked.value) : null; }
    if (kind === "truefalse") { checked = form.querySelector("input[name=r]:checked"); return checked ? checked.value === "true" : null; }
    if (kind === "multiple") {
      return Array.prototype.map.call(form.querySelectorAll("input[name=r]:checked"), function (i) { return Number(i.value); });
    }
    if (kind === "text" || kind === "numeric") { return form.querySelector("input[name=r]").value; }
    if (kind === "inline") {
      return Array.prototype.map.call(form.querySelectorAll("select"), function (s) { return s.value === "" ? -1 : Number(s.value); });
    }
    if (kind === "gapmatch") {
      return Array.prototype.map.call(form.querySelectorAll("select"), function (s) { return s.value; });
    }
    if (kind === "order") {
      return Array.prototype.map.call(form.querySelectorAll("[data-order] > li"), function (li) { return Number(li.dataset.index); });
    }
    if (kind === "match") {
      return Array.prototype.map.call(form.querySelectorAll("select"), function (s) { return s.value === "" ? -1 : Number(s.value); });
    }
    return null;
  }

  function answered(form, response) {
    var kind = form.dataset.kind;
    if (response === null) return false;
    if (kind === "text" || kind === "numeric") return response.trim() !== "";
    if (kind === "multiple") return response.length > 0;
    if (kind === "inline" || kind === "match") return response.indexOf(-1) < 0;
    if (kind === "gapmatch") return response.indexOf("") < 0;
    return true;
  }

  function correctText(index) {
    var key = keys[index];
    var b = key.body;
    switch (key.kind) {
      case "single": return b.options[b.correct];
      case "multiple": return b.correct.map(function (i) { return b.options[i]; }).join(", ");
      case "truefalse": return forms[index].querySelector("label[for$=" + (b.correct ? "-t" : "-f") + "]").textContent;
      case "text": return b.accepted[0];
      case "numeric": return S.formatNumber(b.value);
      case "inline": return b.gaps.map(function (g) { return g.options[g.correct]; }).join(", ");
      case "gapmatch": return b.answers.join(", ");
      case "order": return b.lines.join(" → ");
      case "match": return b.pairs.map(function (p) { return p[0] + " = " + p[1]; }).join("; ");
    }
    return "";
  }

  function reset(form) {
    form.reset();
    var list = form.querySelector("[data-order]");
    if (list) {
      var items = Array.prototype.slice.call(list.children);
      items.sort(function (a, b) { return Number(a.dataset.start) - Number(b.dataset.start); });
      items.forEach(function (li) { list.appendChild(li); });
    }
    form.querySelectorAll("[data-hint]").forEach(function (h) { h.hidden = true; });
    var hintButton = form.querySelector("[data-hint-button]");
    if (hintButton) hintButton.hidden = false;
    form.querySelector("[data-feedback]").textContent = "";
    form.querySelector("[data-feedback]").className = "ex-feedback";
    form.querySelector("[data-check]").hidden = false;
    form.querySelector("[data-next]").hidden = true;
    form.querySelectorAll("input, select").forEach(function (el) { el.disabled = false; });
  }

  function show(index) {
    forms.forEach(function (f) { f.hidden = true; });
    state.current = index;
    state.hints = 0;
    state.since = Date.now();
    save();
    var form = forms[index];
    reset(form);
    form.hidden = false;
    var first = form.querySelector("input, select, [data-order] button");
    if (first) first.focus();
    showProgress();
  }

  function next() {
    if (!state.queue.length) {
      state.queue = shuffled(indices().filter(function (i) { return i !== state.current || forms.length === 1; }));
    }
    show(state.queue.shift());
  }

  function finish(how) {
    forms.forEach(function (f) { f.hidden = true; });
    root.querySelector("[data-stop]").hidden = true;
    if (state.answers.length) {
      post({ key: state.key, assignment: plan.assignment, started_at: state.started_at, finished_at: now(),
             rule: state.rule, answers: state.answers, mastered: how === "done" });
    }
    try { localStorage.removeItem(stateKey); } catch (e) { /* nothing kept */ }
    var end = root.querySelector(how === "done" ? "[data-done]" : how === "enough" ? "[data-enough]" : "[data-stopped]");
    end.hidden = false;
    end.focus();
  }

  forms.forEach(function (form, index) {
    form.querySelectorAll("[data-order] > li").forEach(function (li, i) { li.dataset.start = i; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.querySelector("[data-next]").hidden) { return; }
      var response = responseOf(form);
      var feedback = form.querySelector("[data-feedback]");
      if (!answered(form, response)) {
        feedback.className = "ex-feedback";
        feedback.textContent = root.dataset.empty;
        return;
      }
      var ok = S.score(keys[index].kind, keys[index].body, response);
      state.answers.push({ item: keys[index].rev, r: response, ok: ok, hints: state.hints,
                           ms: Math.max(0, Date.now() - state.since) });
      if (!ok) state.queue.splice(Math.min(2, state.queue.length), 0, index);
      save();
      var extra = form.querySelector(ok ? "template[data-feedback-correct]" : "template[data-feedback-wrong]");
      feedback.className = "ex-feedback " + (ok ? "ex-right" : "ex-wrong");
      feedback.innerHTML = "";
      var head = document.createElement("strong");
      head.textContent = ok ? root.dataset.right : root.dataset.wrong;
      feedback.appendChild(head);
      if (!ok) {
        var answer = document.createElement("p");
        answer.textContent = root.dataset.answerWas + " " + correctText(index);
        feedback.appendChild(answer);
      }
      if (extra) { var more = document.createElement("div"); more.appendChild(extra.content.cloneNode(true)); feedback.appendChild(more); }
      form.querySelectorAll("input, select").forEach(function (el) { el.disabled = true; });
      form.querySelector("[data-check]").hidden = true;
      var nextButton = form.querySelector("[data-next]");
      nextButton.hidden = false;
      nextButton.focus();
      showProgress();
    });
    form.querySelector("[data-next]").addEventListener("click", function () {
      if (mastered()) return finish("done");
      if (state.answers.length >= plan.limit) return finish("enough");
      next();
    });
    var hintButton = form.querySelector("[data-hint-button]");
    if (hintButton) hintButton.addEventListener("click", function () {
      var hidden = form.querySelector("[data-hint][hidden]");
      if (hidden) { hidden.hidden = false; state.hints += 1; save(); }
      if (!form.querySelector("[data-hint][hidden]")) hintButton.hidden = true;
    });
    // Order: the arrows move a line (the keyboard way); dragging does the same with a mouse or finger.
    var list = form.querySelector("[data-order]");
    if (list) {
      list.addEventListener("click", function (event) {
        var button = event.target.closest("[data-move]");
        if (!button || button.closest("form").querySelector("[data-check]").hidden) return;
        var li = button.closest("li");
        if (button.dataset.move === "up" && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
        else if (button.dataset.move === "down" && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
        button.focus();
      });
      var dragged = null;
      list.addEventListener("dragstart", function (event) { dragged = event.target.closest("li"); event.dataTransfer.effectAllowed = "move"; });
      list.addEventListener("dragover", function (event) { event.preventDefault(); });
      list.addEventListener("drop", function (event) {
        event.preventDefault();
        var target = event.target.closest("li");
        if (dragged && target && dragged !== target) list.insertBefore(dragged, target);
        dragged = null;
      });
    }
    // Gap match: drop a word of the bank on a gap (its list is the keyboard way).
    var word = null;
    form.addEventListener("dragstart", function (event) {
      var chip = event.target.closest && event.target.closest("[data-word]");
      if (chip) { word = chip.dataset.word; event.dataTransfer.setData("text/plain", word); }
    });
    form.querySelectorAll(".ex-drop").forEach(function (select) {
      select.addEventListener("dragover", function (event) { if (word !== null) event.preventDefault(); });
      select.addEventListener("drop", function (event) {
        event.preventDefault();
        if (word !== null && !select.disabled) select.value = word;
        word = null;
      });
    });
  });

  root.querySelector("[data-stop]").addEventListener("click", function () {
    finish("stopped");
  });

  if (state.answers.length && mastered()) finish("done");
  else if (state.current !== null && state.current < forms.length) show(state.current);
  else next();
})();
