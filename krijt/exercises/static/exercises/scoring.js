// Scoring of exercise items on the pupil's device: the same rules as krijt/exercises/items.py (both are tested
// on tests/scoring_cases.json). Numbers are compared as exact decimals (BigInt), never as floats.
(function (root) {
  "use strict";

  function normaliseText(value) {
    return String(value || "").normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
  }

  // A typed number as {digits: BigInt, scale: n} (value = digits / 10^scale), or null.
  function parseNumber(value) {
    var text = String(value || "").replace(/[\s\u00a0\u202f]/g, "").replace(/\u2212/g, "-");
    if ((text.match(/[.,]/g) || []).length > 1) return null;
    text = text.replace(",", ".");
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return null;
    var sign = 1n;
    if (text[0] === "-" || text[0] === "+") { if (text[0] === "-") sign = -1n; text = text.slice(1); }
    var parts = text.split(".");
    var frac = parts[1] || "";
    return { digits: sign * BigInt((parts[0] || "0") + frac || "0"), scale: frac.length };
  }

  function scaled(number, scale) {
    return number.digits * 10n ** BigInt(scale - number.scale);
  }

  function withinTolerance(given, value, tolerance) {
    var scale = Math.max(given.scale, value.scale, tolerance.scale);
    var diff = scaled(given, scale) - scaled(value, scale);
    if (diff < 0n) diff = -diff;
    return diff <= scaled(tolerance, scale);
  }

  function isIndex(v) { return typeof v === "number" && Number.isInteger(v); }

  function indexList(value, length) {
    if (!Array.isArray(value) || value.length !== length || !value.every(isIndex)) return null;
    return value;
  }

  function rights(body) {
    return body.pairs.map(function (p) { return p[1]; }).concat(body.extra);
  }

  function score(kind, body, response) {
    var i;
    switch (kind) {
      case "single":
        return isIndex(response) && response === body.correct;
      case "multiple": {
        if (!Array.isArray(response) || !response.every(isIndex)) return false;
        var unique = Array.from(new Set(response)).sort(function (a, b) { return a - b; });
        var want = body.correct.slice().sort(function (a, b) { return a - b; });
        return unique.length === response.length && unique.length === want.length &&
          unique.every(function (v, j) { return v === want[j]; });
      }
      case "truefalse":
        return typeof response === "boolean" && response === body.correct;
      case "text": {
        if (typeof response !== "string") return false;
        var given = normaliseText(response);
        return given !== "" && body.accepted.some(function (a) { return normaliseText(a) === given; });
      }
      case "numeric": {
        if (typeof response !== "string") return false;
        var number = parseNumber(response);
        return number !== null && withinTolerance(number, parseNumber(body.value), parseNumber(body.tolerance));
      }
      case "inline": {
        var chosen = indexList(response, body.gaps.length);
        if (!chosen) return false;
        for (i = 0; i < chosen.length; i++) if (chosen[i] !== body.gaps[i].correct) return false;
        return true;
      }
      case "gapmatch":
        if (!Array.isArray(response) || response.length !== body.answers.length) return false;
        return response.every(function (w, j) { return typeof w === "string" && w === body.answers[j]; });
      case "order": {
        var order = indexList(response, body.lines.length);
        if (!order) return false;
        var sorted = order.slice().sort(function (a, b) { return a - b; });
        if (!sorted.every(function (v, j) { return v === j; })) return false;
        return order.every(function (v, j) { return body.lines[v] === body.lines[j]; });
      }
      case "match": {
        var sides = rights(body);
        var picks = indexList(response, body.pairs.length);
        if (!picks || !picks.every(function (v) { return v >= 0 && v < sides.length; })) return false;
        return picks.every(function (v, j) { return sides[v] === body.pairs[j][1]; });
      }
    }
    return false;
  }

  function formatNumber(value) {
    return String(value).replace(".", ",");
  }

  root.KrijtScoring = { score: score, normaliseText: normaliseText, parseNumber: parseNumber, rights: rights,
                        formatNumber: formatNumber };
})(window);
