/* Dispatch console: live queue over server-sent events, number reveal, no double submit.
 * Served as a static file because the CSP is default-src 'self' (no inline scripts). */
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var status = document.getElementById("live-status");
  /* One submit per form: a double click sends the request once (every dispatch page,
   * the fleet pages included). */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("sending");
      b.textContent = "正在提交…";
    });
  });

  if (!queue) { return; }

  /* The assign list, closed, is narrower than a driver's label ("云A·D1234 · 刘师傅 ·
   * 137****0001 · 爱心车队"): the line under it shows the chosen one in full. */
  function showChosen(select) {
    var line = queue.querySelector('[data-chosen-for="' + select.id + '"]');
    var option = select.options[select.selectedIndex];
    if (line && option) { line.textContent = option.textContent; }
  }
  function showAllChosen() {
    queue.querySelectorAll("select[name=driver_id]").forEach(showChosen);
  }
  queue.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("select[name=driver_id]")) { return; }
    showChosen(event.target);
    /* A longer label may push the submit button below the window: keep it on screen. */
    var submit = event.target.form && event.target.form.querySelector("button[type=submit]");
    if (submit) { submit.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  });
  showAllChosen();
  var revealed = {};          // reveal key (ride id, "op-<request id>") -> full number shown
  /* Numbers the operator chose to show stay shown when a live section is swapped in. */
  function showRevealed(root) {
    Object.keys(revealed).forEach(function (id) {
      var el = root.querySelector('[data-number-for="' + id + '"]');
      if (el) { el.textContent = revealed[id]; }
    });
  }
  var fetching = false, again = false;

  /* A refused action's message inside its row (`.form-alert`: in the refused form, else
   * at the top of the row's buttons) comes once with the page (the flash); the live
   * fragments do not carry it, so each swap would wipe it before the operator has read
   * it. Keep each one and put it back after every swap, until the operator dismisses it
   * ("知道了"), submits a form of that row, the row leaves the page, or KEEP_REFUSAL_MS
   * pass. The top-of-page message is never swapped. */
  var KEEP_REFUSAL_MS = 180000;
  var refusals = [];
  function dismissButton(alert) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small-button alert-dismiss";
    button.textContent = "知道了";
    button.setAttribute("data-dismiss-refusal", alert.id);
    alert.appendChild(document.createTextNode(" "));
    alert.appendChild(button);
  }
  document.querySelectorAll("#queue .form-alert[id], [data-live-fragment] .form-alert[id]").forEach(function (alert) {
    var row = alert.closest("tr[id]"), form = alert.closest("details[data-key]");
    if (!row) { return; }
    dismissButton(alert);
    refusals.push({ id: alert.id, row: row.id, key: form ? form.dataset.key : null,
                    node: alert.cloneNode(true), until: Date.now() + KEEP_REFUSAL_MS });
  });
  function forgetRefusals(test) {
    refusals = refusals.filter(function (r) {
      if (!test(r)) { return true; }
      var shown = document.getElementById(r.id);
      if (shown) { shown.remove(); }
      return false;
    });
  }
  function showRefusals(root) {
    forgetRefusals(function (r) { return Date.now() > r.until || !document.getElementById(r.row); });
    refusals.forEach(function (r) {
      var row = document.getElementById(r.row);
      if (!root.contains(row) || document.getElementById(r.id)) { return; }
      var details = r.key ? row.querySelector('details[data-key="' + CSS.escape(r.key) + '"]') : null;
      var form = details && details.querySelector("form");
      var node = r.node.cloneNode(true);
      if (form) {
        var hidden = form.querySelector("input[type=hidden]");
        if (hidden) { hidden.after(node); } else { form.prepend(node); }
      } else {
        var cell = row.querySelector("td.actions") || row.lastElementChild;
        if (cell) { cell.prepend(node); }
      }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-dismiss-refusal]");
    if (!button) { return; }
    var id = button.getAttribute("data-dismiss-refusal");
    forgetRefusals(function (r) { return r.id === id; });
  });
  document.addEventListener("submit", function (event) {
    var row = event.target.closest && event.target.closest("tr[id]");
    if (row) { forgetRefusals(function (r) { return r.row === row.id; }); }
  }, true);

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  /* Remember what the operator has open or chosen, so a refresh does not undo it. */
  function snapshot() {
    var open = {}, values = {};
    queue.querySelectorAll("details[open]").forEach(function (d) { open[d.dataset.key] = true; });
    queue.querySelectorAll("select[id]").forEach(function (s) { values[s.id] = s.value; });
    var active = document.activeElement;
    return { open: open, values: values, focus: active && queue.contains(active) ? active.id || active.getAttribute("data-focus-key") : null };
  }

  function restore(state) {
    queue.querySelectorAll("details[data-key]").forEach(function (d) {
      if (state.open[d.dataset.key]) { d.open = true; }
    });
    Object.keys(state.values).forEach(function (id) {
      var s = document.getElementById(id);
      if (s && queue.contains(s)) {
        var opt = s.querySelector('option[value="' + CSS.escape(state.values[id]) + '"]');
        if (opt && !opt.disabled) { s.value = state.values[id]; }
      }
    });
    showAllChosen();
    showRevealed(queue);
    if (state.focus) {
      var f = document.getElementById(state.focus);
      if (f) { f.focus({ preventScroll: true }); }
    }
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(queue.dataset.fragmentUrl, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); throw new Error("signed out"); }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var state = snapshot();
        queue.innerHTML = html;
        restore(state);
        showRefusals(queue);
        countWaiting();
        queue.dataset.updatedAt = String(Date.now());
      })
      .catch(function () { /* the next event or the periodic refresh tries again */ })
      .finally(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  /* Other live sections of the page (the operators' panel): re-fetched on the same events. */
  function refreshSections() {
    document.querySelectorAll("[data-live-fragment]").forEach(function (section) {
      var body = section.querySelector(".live-body");
      fetch(section.dataset.liveFragment, { credentials: "same-origin", headers: { accept: "text/html" } })
        .then(function (r) {
          if (r.status === 401 || r.redirected) { window.location.reload(); throw new Error("signed out"); }
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.text();
        })
        .then(function (html) {
          // Keep what the operator has open or is typing (a note, an order) across the swap.
          var active = document.activeElement;
          var focusId = active && body.contains(active) ? active.id : null;
          var open = {}, values = {};
          body.querySelectorAll("details[open][data-key]").forEach(function (d) { open[d.dataset.key] = true; });
          body.querySelectorAll("textarea[id], input[id]:not([type=hidden])").forEach(function (el) {
            values[el.id] = el.type === "checkbox" ? el.checked : el.value;
          });
          body.innerHTML = html;
          body.querySelectorAll("details[data-key]").forEach(function (d) {
            if (open[d.dataset.key]) { d.open = true; }
          });
          Object.keys(values).forEach(function (id) {
            var el = document.getElementById(id);
            if (!el || !body.contains(el)) { return; }
            if (el.type === "checkbox") { el.checked = values[id]; } else { el.value = values[id]; }
          });
          if (focusId) {
            var f = document.getElementById(focusId);
            if (f) { f.focus({ preventScroll: true }); }
          }
          showRevealed(body);
          showRefusals(body);
          section.dataset.updatedAt = String(Date.now());
          countWaiting();
        })
        .catch(function () { /* the next event tries again */ });
    });
  }

  /* The tab title counts what waits (rides and callers); a new arrival beeps unless the
   * operator switched the sound off (kept in this browser). */
  var baseTitle = document.title, lastCount = null;
  var soundToggle = document.getElementById("sound-toggle");
  if (soundToggle) {
    soundToggle.checked = window.localStorage.getItem("dispatch-sound") !== "off";
    soundToggle.addEventListener("change", function () {
      window.localStorage.setItem("dispatch-sound", soundToggle.checked ? "on" : "off");
    });
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      var ctx = new Context(), tone = ctx.createOscillator(), gain = ctx.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(ctx.destination);
      tone.start();
      tone.stop(ctx.currentTime + 0.3);
    } catch (e) { /* no audio device: the title still counts */ }
  }

  function countWaiting() {
    var count = 0;
    ["waiting-count", "operators-waiting-count"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { count += parseInt(el.textContent, 10) || 0; }
    });
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
    if (lastCount !== null && count > lastCount && (!soundToggle || soundToggle.checked)) {
      document.body.dataset.beeps = String((parseInt(document.body.dataset.beeps, 10) || 0) + 1);
      beep();
    }
    lastCount = count;
  }
  countWaiting();

  function connect() {
    if (!window.EventSource) { setStatus("off", "浏览器不支持实时更新，每 10 秒刷新一次"); return; }
    var source = new EventSource(queue.dataset.eventsUrl);
    source.addEventListener("open", function () {
      setStatus("live", "实时更新中");
      refresh();              // catch up with anything that changed while connecting
      refreshSections();
    });
    source.addEventListener("queue", function () { refresh(); refreshSections(); });
    source.addEventListener("error", function () {
      setStatus("lost", "实时更新中断，正在重新连接…");
    });
  }

  /* Waiting times turn amber and red with the clock, not only on changes. */
  setInterval(function () { refresh(); refreshSections(); }, window.EventSource ? 30000 : 10000);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-reveal]");
    if (!button) { return; }
    /* The queue's rides and the operators' panel (its callers and their family). */
    var id = button.dataset.reveal;
    fetch(button.dataset.revealUrl || "/dispatch/rides/" + id + "/number", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "x-csrf-token": queue.dataset.csrfToken }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        revealed[id] = data.number;
        showRevealed(document);
      })
      .catch(function () { button.textContent = "显示失败，再试"; });
  });

  /* An opened form (派车, 取消) scrolls, if needed, so its submit button is on screen. */
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.act") || !details.open) { return; }
    var submit = details.querySelector("button[type=submit]");
    if (submit) { submit.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (!event.altKey) { return; }
    if (event.key === "n" || event.key === "N") {
      var number = document.getElementById("order-number");
      if (number) { event.preventDefault(); number.focus(); }
    } else if (event.key === "q" || event.key === "Q") {
      var first = queue.querySelector("summary, button");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });

  connect();
})();
