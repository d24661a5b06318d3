/* Turning web push on and off for this browser. Permission is asked only after a click, never on load.
 *
 * Markup: an element with data-push-root and data-key-url, data-subscribe-url, data-unsubscribe-url,
 * data-sw-url, data-scope, data-csrf and translated texts in data-text-*; inside it buttons with
 * data-push-on / data-push-off and a status element with data-push-status.
 */
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    });
  }

  function init(root) {
    var d = root.dataset;
    var on = root.querySelector("[data-push-on]");
    var off = root.querySelector("[data-push-off]");
    var status = root.querySelector("[data-push-status]");

    function say(text) {
      if (status) status.textContent = text || "";
    }
    function show(subscribed) {
      if (on) on.hidden = subscribed;
      if (off) off.hidden = !subscribed;
    }
    function changed() {
      document.body.dispatchEvent(new CustomEvent("push-changed", { bubbles: true }));
    }

    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      show(false);
      if (on) on.disabled = true;
      say(d.textUnsupported);
      return;
    }
    if (Notification.permission === "denied") say(d.textDenied);

    navigator.serviceWorker.getRegistration(d.scope || "/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      show(Boolean(subscription));
    }).catch(function () {
      show(false);
    });

    if (on) on.addEventListener("click", function () {
      on.disabled = true;
      say(d.textWorking);
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return Promise.all([
          navigator.serviceWorker.register(d.swUrl, { scope: d.scope || "/" }),
          fetch(d.keyUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
        ]);
      }).then(function (results) {
        return navigator.serviceWorker.ready.then(function (registration) {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(results[1].publicKey),
          });
        });
      }).then(function (subscription) {
        return post(d.subscribeUrl, d.csrf, subscription.toJSON());
      }).then(function () {
        show(true);
        say(d.textOn);
        changed();
      }).catch(function (error) {
        say(error && error.message === "denied" ? d.textDenied : d.textFailed);
      }).then(function () {
        on.disabled = false;
      });
    });

    if (off) off.addEventListener("click", function () {
      off.disabled = true;
      navigator.serviceWorker.getRegistration(d.scope || "/").then(function (registration) {
        return registration ? registration.pushManager.getSubscription() : null;
      }).then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(d.unsubscribeUrl, d.csrf, { endpoint: endpoint });
        });
      }).then(function () {
        show(false);
        say(d.textOff);
        changed();
      }).catch(function () {
        say(d.textFailed);
      }).then(function () {
        off.disabled = false;
      });
    });
  }

  function start() {
    var roots = document.querySelectorAll("[data-push-root]");
    for (var i = 0; i < roots.length; i++) init(roots[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
