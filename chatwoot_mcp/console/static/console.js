// The console's only script of its own (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // Clear a form's text after htmx sent it successfully (data-reset names the field).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.dataset && form.dataset.reset) {
      var field = form.elements[form.dataset.reset];
      if (field) { field.value = ""; }
    }
  });

  // While the bot owns the conversation the reply box writes private notes (the server enforces it too).
  function syncReplyMode() {
    var head = document.querySelector(".conv-head");
    var box = document.getElementById("private");
    if (!head || !box) { return; }
    var notesOnly = head.dataset.notesOnly === "1";
    if (notesOnly) { box.checked = true; box.disabled = true; }
    else if (box.disabled) { box.disabled = false; box.checked = false; }
  }
  document.addEventListener("htmx:afterSwap", syncReplyMode);

  // A change to a conversation the list does not show yet (a new one, or one further down): re-read the list.
  document.addEventListener("htmx:sseMessage", function (event) {
    var rows = document.getElementById("rows");
    if (event.detail.type !== "changed" || !rows) { return; }
    if (!rows.querySelector('li.row[data-id="' + event.detail.data + '"]')) { window.htmx.trigger(rows, "reread"); }
  });

  // A change that comes while a row is being re-read is dropped by htmx with the old row, and a new row only
  // listens once it settled: after it settled, re-read it once more when its conversation changed meanwhile.
  var changedAt = {};
  document.addEventListener("htmx:sseMessage", function (event) {
    if (event.detail.type === "changed") { changedAt[event.detail.data] = Date.now(); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.xhr) { event.detail.xhr.consoleIssuedAt = Date.now(); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var settled = event.detail.elt;
    var issuedAt = event.detail.xhr && event.detail.xhr.consoleIssuedAt;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!settled || !settled.querySelectorAll || !issuedAt) { return; }
    var found = Array.prototype.slice.call(settled.querySelectorAll('[hx-trigger*="sse:conv-"]'));
    if (settled.matches('[hx-trigger*="sse:conv-"]')) { found.push(settled); }
    found.forEach(function (elt) {
      if (elt === source) { return; }  // the same element: htmx queued the change itself
      var match = /sse:conv-(\d+)/.exec(elt.getAttribute("hx-trigger"));
      if (match && changedAt[match[1]] >= issuedAt) { window.htmx.trigger(elt, "sse:conv-" + match[1]); }
    });
  });

  // An action (take over, return) inherits the live re-read's hx-sync: sent while a re-read is in flight, htmx
  // would queue it behind the re-read, where the next change's re-read replaces it. The action goes first: the
  // re-read in flight is aborted, and so is the one htmx had queued, which it sends the moment the first ends
  // ("queue last" keeps one at most), so nothing is in flight when the action is sent.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (event.detail.verb !== "post" || !elt || !elt.parentElement) { return; }
    var sync = elt.parentElement.closest("[hx-sync]");
    if (sync && /^this:/.test(sync.getAttribute("hx-sync")) && !elt.hasAttribute("hx-sync")) {
      window.htmx.trigger(sync, "htmx:abort");
      window.htmx.trigger(sync, "htmx:abort");
    }
  });

  // The live indicator, and an optional sound when the bot hands a conversation to people.
  document.addEventListener("htmx:sseOpen", function () {
    var live = document.getElementById("live");
    if (live) { live.classList.add("on"); }
  });
  document.addEventListener("htmx:sseError", function () {
    var live = document.getElementById("live");
    if (live) { live.classList.remove("on"); }
  });
  var sound = document.getElementById("sound");
  if (sound) {
    sound.checked = window.localStorage.getItem("console-sound") === "1";
    sound.addEventListener("change", function () {
      window.localStorage.setItem("console-sound", sound.checked ? "1" : "0");
    });
  }
  document.addEventListener("htmx:sseMessage", function (event) {
    if (event.detail.type !== "handoff" || !sound || !sound.checked) { return; }
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.2);
    } catch (ignored) { /* no audio: the notice is still shown */ }
  });

  // The Chatwoot Dashboard App: the conversation id from appContext is only a hint; the server re-reads it
  // as the signed-in person and checks that they may see it.
  var embed = document.getElementById("embed");
  if (embed && embed.dataset.signedIn === "1") {
    var origin = embed.dataset.origin;
    var shown = null;
    window.addEventListener("message", function (event) {
      if (!origin || event.origin !== origin || typeof event.data !== "string") { return; }
      var message;
      try { message = JSON.parse(event.data); } catch (ignored) { return; }
      if (!message || message.event !== "appContext" || !message.data || !message.data.conversation) { return; }
      var id = parseInt(message.data.conversation.id, 10);
      if (!(id > 0) || id === shown) { return; }
      shown = id;
      window.htmx.ajax("GET", "/c/" + id + "/partial?view=embed", { target: "#embed", swap: "innerHTML" });
    });
    if (window.parent !== window && origin) {
      window.parent.postMessage("chatwoot-dashboard-app:fetch-info", origin);
    }
  }
})();
