// A contact typed on a phone is never lost (issue 5): the form's draft is kept on the
// device as it is typed, restored when the page opens again, and, when saving fails for
// want of a connection, kept queued and sent when the connection returns.
//
// The server answers a draft's POST (header X-Tandem-Draft: 1) with JSON once the contact
// is saved, or with the form and its errors (header X-Tandem-Draft-Errors: 1) when
// something must be fixed; only a saved answer forgets the draft. Each draft carries a client_token, so a draft sent twice
// (the first answer was lost) is stored once.
(function () {
  "use strict";
  var PREFIX = "tandem.contact-draft.";
  var sending = {};

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function read(key) {
    var s = store();
    if (!s) { return null; }
    try {
      return JSON.parse(s.getItem(PREFIX + key) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(key, draft) {
    var s = store();
    if (!s) { return; }
    try {
      s.setItem(PREFIX + key, JSON.stringify(draft));
    } catch (error) {
      // A full store: the form still works online.
    }
  }

  function forget(key) {
    var s = store();
    if (s) { s.removeItem(PREFIX + key); }
  }

  function keysFor(user) {
    var s = store();
    var keys = [];
    if (!s) { return keys; }
    for (var i = 0; i < s.length; i += 1) {
      var name = s.key(i);
      if (name && name.indexOf(PREFIX + user + ":") === 0) {
        keys.push(name.slice(PREFIX.length));
      }
    }
    return keys;
  }

  function newToken() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function pairsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  }

  // The words beside each ticked box, so that a box the page no longer offers (a goal
  // achieved since the draft was typed) can be shown again, still ticked.
  function labelsOf(form) {
    var labels = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      var label = box.closest("label");
      labels[box.name + "=" + box.value] = box.getAttribute("data-draft-label") ||
        (label ? label.textContent.trim() : box.value);
    });
    return labels;
  }

  function keepTicked(form, name, value, text) {
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = value;
    box.checked = true;
    box.setAttribute("data-draft-label", text);
    var label = document.createElement("label");
    label.className = "checkbox";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + text + " (chosen earlier)"));
    var sibling = form.querySelector("input[type=checkbox][name='" + name + "']");
    var group = sibling ? sibling.closest("fieldset") : form.querySelector("[data-draft-kept]");
    (group || form).appendChild(label);
    var more = label.closest("details");
    if (more) { more.open = true; }
  }

  function fill(form, pairs, labels) {
    var values = {};
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    // A goal or service the draft chose that the page no longer offers stays chosen: the
    // server still accepts the participant's own goal after it was achieved.
    pairs.forEach(function (pair) {
      var key = pair[0] + "=" + pair[1];
      if (!labels || !(key in labels)) { return; }
      var offered = Array.prototype.some.call(form.elements, function (element) {
        return element.name === pair[0] && element.value === pair[1];
      });
      if (!offered) { keepTicked(form, pair[0], pair[1], labels[key]); }
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || !(name in values)) { return; }
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values[name].indexOf(element.value) !== -1;
      } else if (element.type !== "submit" && element.type !== "button") {
        element.value = values[name][0];
      }
    });
    // A checkbox group with nothing ticked sends nothing: untick what the draft left out.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      if (!(box.name in values)) { box.checked = false; }
    });
  }

  function status(text, withDiscard) {
    var line = document.querySelector("[data-draft-status]");
    if (!line) { return; }
    line.textContent = text;
    line.hidden = !text;
    if (withDiscard) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = "Start again";
      button.setAttribute("data-draft-discard", "");
      line.appendChild(document.createTextNode(" "));
      line.appendChild(button);
    }
  }

  function save(form, queued) {
    var key = form.getAttribute("data-draft");
    var earlier = read(key) || {};
    var draft = {
      action: form.getAttribute("action"),
      label: form.getAttribute("data-draft-label") || "",
      fields: pairsOf(form),
      labels: labelsOf(form),
      queued: queued === undefined ? Boolean(earlier.queued) : queued,
      savedAt: new Date().toISOString()
    };
    write(key, draft);
    return draft;
  }

  function send(key) {
    var draft = read(key);
    if (!draft || !draft.queued || sending[key] || !window.fetch) { return; }
    sending[key] = true;
    var body = new URLSearchParams();
    draft.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", csrfToken());
    var form = document.querySelector("form[data-draft='" + key + "']");
    if (form) { status("Sending…"); }
    window.fetch(draft.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Tandem-Draft": "1", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === 0) {
        return response.json().then(function (answer) {
          forget(key);
          if (form && answer.url) {
            window.location.assign(answer.url);
          } else {
            showWaiting();
          }
        });
      }
      if (response.ok && !response.redirected && response.headers.get("X-Tandem-Draft-Errors") === "1") {
        // Something to fix: keep the draft, show the form's errors, send nothing more.
        draft.queued = false;
        write(key, draft);
        return response.text().then(function (html) {
          if (form) {
            replaceForm(form, html);
            status("Not sent yet: check the form. What you typed is kept on this phone.");
          }
          showWaiting();
        });
      }
      if (response.redirected || response.status === 401 || response.status === 403) {
        if (form) { status("Sign in again to send it. The contact is kept on this phone."); }
        return null;
      }
      if (response.status === 404) {
        draft.queued = false;
        write(key, draft);
        if (form) {
          status("Not sent: the participant is no longer on your team's caseload. What you typed is kept on this phone.");
        }
        return null;
      }
      if (form) { status("Not sent yet: the server did not answer. It will be sent again."); }
      return null;
    }).catch(function () {
      if (form) { queuedMessage(); }
    }).then(function () {
      sending[key] = false;
    });
  }

  function queuedMessage() {
    status("No connection. The contact is kept on this phone and will be sent when the connection returns.");
  }

  function replaceForm(form, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.getElementById(form.id);
    if (!fresh) { return; }
    var adopted = document.importNode(fresh, true);
    form.replaceWith(adopted);
    watch(adopted);
  }

  function watch(form) {
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }  // an old browser posts the form as it is
      event.preventDefault();
      var token = form.querySelector("input[name=client_token]");
      if (token && !token.value) { token.value = newToken(); }
      save(form, true);
      if (navigator.onLine === false) {
        queuedMessage();
        return;
      }
      send(form.getAttribute("data-draft"));
    });
  }

  function setUpForm(form) {
    var key = form.getAttribute("data-draft");
    var token = form.querySelector("input[name=client_token]");
    var draft = read(key);
    if (draft && draft.fields && draft.fields.length) {
      fill(form, draft.fields, draft.labels);
      if (draft.queued) {
        status("A contact kept on this phone is waiting to be sent.", true);
      } else {
        status("Restored what you typed earlier on this phone.", true);
      }
    }
    if (token && !token.value) {
      token.value = newToken();
      if (draft) { save(form); }
    }
    watch(form);
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!target || !target.hasAttribute || !target.hasAttribute("data-draft-discard")) { return; }
      forget(key);
      window.location.reload();
    });
    if (draft && draft.queued && navigator.onLine !== false) { send(key); }
  }

  function currentUser() {
    var form = document.querySelector("form[data-draft]");
    if (form) { return form.getAttribute("data-draft").split(":")[0]; }
    var marker = document.querySelector("[data-drafts-waiting]");
    return marker ? marker.getAttribute("data-draft-user") : "";
  }

  function showWaiting() {
    var marker = document.querySelector("[data-drafts-waiting]");
    if (!marker) { return; }
    var waiting = keysFor(currentUser()).filter(function (key) {
      var draft = read(key);
      return draft && draft.queued;
    });
    marker.hidden = waiting.length === 0;
    marker.textContent = waiting.length === 1
      ? "1 contact kept on this phone is waiting to be sent."
      : waiting.length + " contacts kept on this phone are waiting to be sent.";
  }

  function sendAll() {
    var user = currentUser();
    if (!user) { return; }
    keysFor(user).forEach(send);
  }

  function setUp() {
    var form = document.querySelector("form[data-draft]");
    if (form) { setUpForm(form); }
    showWaiting();
    if (navigator.onLine !== false) { sendAll(); }
    window.addEventListener("online", sendAll);
    window.addEventListener("offline", function () {
      if (document.querySelector("form[data-draft]")) {
        status("No connection. Keep typing: the contact is kept on this phone.");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
