/* Quayside: small progressive enhancements. Every page works without this script. */
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  // Forms that send something irreversible ask first: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Line-item rows: add from the <template>, remove by ticking the row's DELETE box.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.dataset.addRow;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var body = document.querySelector("[data-formset='" + prefix + "'] [data-rows]");
    function renumber() {
      var n = 0;
      body.querySelectorAll("tr[data-row]").forEach(function (row) {
        if (!row.classList.contains("is-removed")) row.querySelector("[data-pos]").textContent = ++n;
      });
    }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = index + 1;
      renumber();
      var first = body.lastElementChild.querySelector("input:not([type=checkbox])");
      if (first) first.focus();
    });
    body.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-row]");
      if (!remove) return;
      var row = remove.closest("tr");
      row.querySelector("input[type=checkbox][name$='-DELETE']").checked = true;
      row.classList.add("is-removed");
      renumber();
    });
    renumber();
  });

  // Auction template: show the chosen type's settings and fill them with the template's values.
  var form = document.getElementById("rfq-form");
  var templateData = document.getElementById("template-data");
  if (form && templateData) {
    var templates = JSON.parse(templateData.textContent);
    var fields = JSON.parse(document.getElementById("settings-fields").textContent);
    var deadline = form.elements["bidding_deadline"];
    var showPanel = function (type) {
      form.querySelectorAll("[data-settings-for]").forEach(function (panel) {
        panel.hidden = panel.dataset.settingsFor !== type;
      });
    };
    // Reverse auction bid line by line: each line's starting price instead of one for all.
    var startField = form.elements["rev_starting_price"];
    var syncBasis = function () {
      var template = form.querySelector("input[name=template]:checked");
      var basis = form.querySelector("input[name=rev_bidding_basis]:checked");
      var perLine = !!template && templates[template.value].type === "REVERSE_AUCTION" &&
        !!basis && basis.value === "PER_LINE";
      if (startField) {
        startField.disabled = perLine;
        startField.closest(".field").hidden = perLine;
      }
      form.querySelectorAll("[data-line-price]").forEach(function (cell) {
        cell.hidden = !perLine;
        cell.querySelectorAll("input").forEach(function (input) { input.disabled = !perLine; });
      });
    };
    form.querySelectorAll("input[name=rev_bidding_basis]").forEach(function (radio) {
      radio.addEventListener("change", syncBasis);
    });
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-add-row]")) syncBasis();  // the new row follows the basis
    });
    syncBasis();
    form.querySelectorAll("input[name=template]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var chosen = templates[radio.value];
        showPanel(chosen.type);
        Object.keys(fields[chosen.type]).forEach(function (setting) {
          var input = form.elements[fields[chosen.type][setting]];
          var value = chosen.settings[setting];
          if (!input || value === undefined) return;
          if (input.type === "checkbox") input.checked = !!value;
          else input.value = value === null ? "" : value;
        });
        syncBasis();
        if (deadline && !deadline.value) {
          // The template's suggested window, from now (inputs are in UTC).
          var end = new Date(Date.now() + chosen.duration * 60000);
          deadline.value = end.toISOString().slice(0, 16);
        }
      });
    });
  }

  // Reserve: its details only matter when a reserve is set.
  document.querySelectorAll("[data-reserve]").forEach(function (box) {
    var toggle = box.querySelector("input[name=reserve_enabled]");
    var sync = function () {
      box.querySelectorAll(".field").forEach(function (field) {
        if (!field.contains(toggle)) field.classList.toggle("is-disabled", !toggle.checked);
      });
    };
    toggle.addEventListener("change", sync);
    sync();
  });

  // Supplier picker: "select all eligible" and a live count.
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var boxes = picker.querySelectorAll("input[name=supplier_ids]:not([disabled])");
    var all = picker.querySelector("[data-select-all]");
    var count = picker.querySelector("[data-selected-count]");
    var update = function () {
      var n = 0;
      boxes.forEach(function (box) {
        if (box.checked) n++;
        box.closest("tr").classList.toggle("is-selected", box.checked);
      });
      if (count) count.textContent = n === 1 ? "1 supplier selected" : n + " suppliers selected";
      if (all) all.checked = n > 0 && n === boxes.length;
    };
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    if (all) all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      update();
    });
    update();
  });

  // Bundle quotes: the rows beyond the first few wait hidden; "Add a bundle" shows the next one.
  document.querySelectorAll("[data-bundle-form]").forEach(function (form) {
    var button = form.querySelector("[data-add-bundle]");
    if (!button) return;
    var hiddenRows = function () { return form.querySelectorAll("[data-bundle-row][hidden]"); };
    var refresh = function () { button.hidden = hiddenRows().length === 0; };
    button.addEventListener("click", function () {
      var next = hiddenRows()[0];
      if (!next) return;
      next.hidden = false;
      refresh();
      var first = next.querySelector("input");
      if (first) first.focus();
    });
    refresh();
  });

  // A submit button marked data-once is disabled after the first click (no double bids),
  // and enabled again when the browser brings the page back from its history cache.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      form.querySelectorAll("button[data-once]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-once]").forEach(function (button) { button.disabled = false; });
  });

  // Countdowns to a deadline, corrected by the server's clock: data-countdown="<ISO>" data-server-time="<ISO>".
  // A live page sets `held` (ms left) while the auction is paused: the countdown stands still.
  var countdowns = [];
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var skew = Date.parse(el.dataset.serverTime) - Date.now();
    countdowns.push({ el: el, deadline: Date.parse(el.dataset.countdown), skew: isNaN(skew) ? 0 : skew, held: null });
  });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function tick() {
    countdowns.forEach(function (c) {
      var left = Math.floor((c.held !== null ? c.held : c.deadline - (Date.now() + c.skew)) / 1000);
      c.el.classList.toggle("is-over", left <= 0);
      c.el.classList.toggle("is-held", c.held !== null && left > 0);
      if (left <= 0) { c.el.textContent = "Closed"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      c.el.textContent = d > 0 ? d + " d " + h + " h " + pad(m) + " min" : (h > 0 ? h + " h " : "") + pad(m) + ":" + pad(s);
      c.el.classList.toggle("is-urgent", c.held === null && left < 300);
    });
  }
  if (countdowns.length) { tick(); window.setInterval(tick, 1000); }

  // Money in the page's format ("USD 12,500.00") from a decimal string, without floats.
  function money(value, currency, digits) {
    if (value === null || value === undefined || value === "") return null;
    var parts = String(value).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = ((parts[1] || "") + "0000000000").slice(0, digits);
    return currency + " " + whole + (digits ? "." + frac : "");
  }

  // Amounts typed in the user's number format (<body data-number-format>), read by the same rules
  // as the server's (common/local_format.py): only its separators, groups of exactly three digits.
  var SEPARATORS = { en: [",", ".", ""], de: [".", ",", ""], fr: [" ", ",", "\u00a0\u202f"], ch: ["'", ".", "\u2019"] };
  var numberFormat = SEPARATORS[document.body.dataset.numberFormat] || SEPARATORS.en;
  function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function plainAmount(text) {  // "48.500,00" (de) → "48500.00"; null when the format's rules are broken
    var group = numberFormat[0], mark = numberFormat[1], value = String(text).trim();
    numberFormat[2].split("").forEach(function (variant) { value = value.split(variant).join(group); });
    var match = new RegExp("^(\\d+|\\d{1,3}(?:" + escapeRe(group) + "\\d{3})+)(?:" + escapeRe(mark) + "(\\d+))?$").exec(value);
    return match ? match[1].split(group).join("") + (match[2] ? "." + match[2] : "") : null;
  }
  function localAmount(plain) {  // "48500.00" → "48500,00" (de), for an input the user edits (not grouped)
    var parts = String(plain).split(".");
    return parts[0] + (parts[1] ? numberFormat[1] + parts[1] : "");
  }

  // Exact decimal arithmetic for the quote form's totals: strings → BigInt with a scale.
  function toScaled(text) {
    text = String(text).trim();
    if (!/^\d+(\.\d+)?$/.test(text)) return null;
    var parts = text.split(".");
    var frac = parts[1] || "";
    return { n: BigInt(parts[0] + frac), scale: frac.length };
  }
  function rescale(x, scale) { return x.n * (10n ** BigInt(scale - x.scale)); }
  function roundTo(n, scale, digits) {  // half-up, n >= 0
    if (scale <= digits) return n * (10n ** BigInt(digits - scale));
    var div = 10n ** BigInt(scale - digits);
    return (n + div / 2n) / div;
  }
  function scaledString(n, digits) {
    var text = n.toString().padStart(digits + 1, "0");
    return digits ? text.slice(0, -digits) + "." + text.slice(-digits) : text;
  }

  // Quote form: line totals and the grand total as the supplier types (display only).
  document.querySelectorAll("[data-quote-form]").forEach(function (form) {
    var currency = form.dataset.currency, digits = parseInt(form.dataset.digits, 10);
    var grand = form.querySelector("[data-grand-total]");
    function update() {
      var sum = { n: 0n, scale: 0 }, priced = 0, invalid = false;
      form.querySelectorAll("[data-quote-line]").forEach(function (row) {
        var input = row.querySelector("[data-price]"), out = row.querySelector("[data-line-total]");
        var qty = toScaled(row.dataset.qty), price = toScaled(plainAmount(input.value));
        if (!input.value.trim()) { out.textContent = "—"; return; }
        if (!qty || !price || price.scale > digits) { out.textContent = "?"; invalid = true; return; }
        var line = { n: qty.n * price.n, scale: qty.scale + price.scale };
        out.textContent = money(scaledString(roundTo(line.n, line.scale, digits), digits), currency, digits);
        var scale = Math.max(sum.scale, line.scale);
        sum = { n: rescale(sum, scale) + rescale(line, scale), scale: scale };
        priced++;
      });
      grand.textContent = invalid ? "Check the prices" : priced
        ? money(scaledString(roundTo(sum.n, sum.scale, digits), digits), currency, digits) : "—";
    }
    form.addEventListener("input", update);
    update();
  });

  // --- Live auctions -----------------------------------------------------------------------
  // One connection per page to /ws/rfqs/{id}/ (api.md "WebSocket"), reconnecting with backoff
  // and resuming from the last seq; if WebSocket never gets through, Server-Sent Events; if
  // those fail too, polling. Live events carry seq and prev_seq: a prev_seq beyond the last
  // seq applied means something was missed, so the client asks for a replay before applying.
  function liveConnection(rfqId, indicator, handle) {
    var lastSeq = -1, socket = null, source = null, attempts = 0, opened = false, mode = "connecting";
    var pollTimer = null, pingTimer = null;
    function show(state, text) {
      mode = state;
      if (!indicator) return;
      indicator.dataset.connection = state;
      indicator.textContent = text;
      indicator.title = { websocket: "Live: updates arrive as they happen", sse: "Live (Server-Sent Events)",
        polling: "Live delivery is blocked here: refreshing every 5 seconds", reconnecting: "Reconnecting…",
        connecting: "Connecting…" }[state] || text;
    }
    function deliver(body) {
      if (body.type === "state") {
        // A state read before an event already applied (a refresh that was slow to come
        // back) would put older figures over newer ones: only a state as new as the page.
        if (typeof body.seq === "number" && body.seq < lastSeq) return;
        if (typeof body.seq === "number") lastSeq = body.seq;
        handle(body); return;
      }
      if (body.type === "pong" || body.type === "error") return;
      if (body.type === "resync") { resume(); return; }  // the server may have missed messages for us
      if (body["private"]) { handle(body); return; }
      if (typeof body.seq !== "number" || body.seq <= lastSeq) return;  // already applied
      if (lastSeq >= 0 && typeof body.prev_seq === "number" && body.prev_seq > lastSeq) {
        resume(); return;  // a gap: the replay brings this event too, in order
      }
      lastSeq = body.seq;
      handle(body);
    }
    function resume() {
      if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "resume", since: Math.max(lastSeq, 0) }));
      else if (mode === "sse" || mode === "polling") poll();
    }
    function poll() {
      fetch("/api/v1/rfqs/" + rfqId + "/events/?since=" + Math.max(lastSeq, 0), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (events) {
          events.forEach(deliver);
          return fetch("/api/v1/rfqs/" + rfqId + "/state/", { credentials: "same-origin" });
        })
        .then(function (r) { return r && r.ok ? r.json() : null; })
        .then(function (state) { if (state) deliver(Object.assign({ type: "state" }, state)); })
        .catch(function () { /* the next round tries again */ });
    }
    function startPolling() {
      show("polling", "Refreshing");
      if (!pollTimer) { poll(); pollTimer = window.setInterval(poll, 5000); }
    }
    function startSse() {
      if (!window.EventSource) { startPolling(); return; }
      var failures = 0;
      source = new EventSource("/api/v1/rfqs/" + rfqId + "/events/stream/?since=" + Math.max(lastSeq, 0));
      source.onopen = function () { failures = 0; show("sse", "Live"); };
      source.onmessage = function (e) { deliver(JSON.parse(e.data)); };
      ["state", "bid_placed", "bid_withdrawn", "rank_changed", "deadline_extended", "auction_paused",
       "auction_resumed", "auction_opened", "auction_closed", "mode_changed", "resync"].forEach(function (type) {
        source.addEventListener(type, function (e) { deliver(JSON.parse(e.data)); });
      });
      source.onerror = function () {
        failures += 1;
        if (failures >= 3 || source.readyState === 2) { source.close(); source = null; startPolling(); }
      };
    }
    function connect() {
      if (!window.WebSocket) { startSse(); return; }
      show(attempts ? "reconnecting" : "connecting", attempts ? "Reconnecting" : "Connecting");
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      try { socket = new WebSocket(scheme + window.location.host + "/ws/rfqs/" + rfqId + "/"); }
      catch (err) { startSse(); return; }
      var delivered = false;  // a connection counts once the server has spoken (the state)
      socket.onopen = function () {
        show("websocket", "Live");
        if (lastSeq >= 0) resume();
        pingTimer = window.setInterval(function () {
          if (socket && socket.readyState === 1) socket.send('{"type":"ping"}');
        }, 25000);
      };
      socket.onmessage = function (e) {
        if (!delivered) { delivered = opened = true; attempts = 0; }
        deliver(JSON.parse(e.data));
      };
      socket.onclose = function (e) {
        window.clearInterval(pingTimer); socket = null;
        if (e.code === 4401 || e.code === 4404) { show("closed", "Offline"); return; }
        attempts += 1;
        // Never got through (a proxy or firewall blocking WebSocket): use the fallbacks.
        if (!opened && attempts >= 2) { startSse(); return; }
        var wait = Math.min(15000, 500 * Math.pow(2, attempts - 1)) * (0.75 + Math.random() / 2);
        window.setTimeout(connect, wait);
      };
    }
    connect();
    return { refresh: poll };
  }

  // Times in the signed-in user's zone (<body data-time-zone>), as the server's `when` filter
  // renders them (common/templatetags/local_time.py): local text and the zone's abbreviation.
  var TIME_ZONE = document.body.dataset.timeZone || "UTC";
  function zoneFields(ms, zone) {  // the wall clock in `zone`: {year, month, day, hour, minute, second}
    var fields = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" }).formatToParts(new Date(ms))
        .forEach(function (part) { fields[part.type] = parseInt(part.value, 10); });
    } catch (e) {  // an unknown zone: UTC
      if (zone !== "UTC") return zoneFields(ms, "UTC");
    }
    return fields;
  }
  function zoneName(ms, zone) {  // "UTC", "CET", "EST"; tz database style "+08" where no name is common
    var name = function (locale) {
      try {
        var part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" }).formatToParts(new Date(ms))
          .filter(function (p) { return p.type === "timeZoneName"; })[0];
        return part ? part.value : "UTC";
      } catch (e) { return "UTC"; }
    };
    var text = name("en-US");
    if (/^GMT[+-]/.test(text)) text = name("en-GB");
    var offset = /^(?:GMT|UTC)([+-])(\d{1,2})(?::(\d{2}))?$/.exec(text);
    return offset ? offset[1] + pad(parseInt(offset[2], 10)) + (offset[3] && offset[3] !== "00" ? offset[3] : "") : text;
  }
  // "6 Dec 2026, 14:50:28 +08"; "short": without seconds; "time": 14:50:28 +08;
  // "iso": 2026-12-06 06:50:28, always UTC (the stamp in a message the API shares, which says UTC).
  function zoneDate(ms, format, zone) {
    zone = format === "iso" ? "UTC" : zone || TIME_ZONE;
    if (isNaN(ms)) return "";
    var f = zoneFields(ms, zone), time = pad(f.hour) + ":" + pad(f.minute);
    if (format === "iso") return f.year + "-" + pad(f.month) + "-" + pad(f.day) + " " + time + ":" + pad(f.second);
    var seconds = format === "short" ? "" : ":" + pad(f.second);
    var day = format === "time" ? "" : f.day + " " + MONTHS[f.month - 1] + " " + f.year + ", ";
    return day + time + seconds + " " + zoneName(ms, zone);
  }
  function zoneTime(when) {  // an ISO string or milliseconds → "14:50:28 +08"
    return zoneDate(typeof when === "number" ? when : Date.parse(when), "time");
  }
  function showMoment(el, ms, format) {  // an element holding the `when` filter's <time>, or text
    var time = el.querySelector("time");
    if (!time) { el.textContent = zoneDate(ms, format); return; }
    time.textContent = zoneDate(ms, format);
    time.setAttribute("datetime", new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));
    time.title = zoneDate(ms, format, "UTC");
  }
  function fill(text, values) { return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key] || ""; }); }

  // --- Live RFQ pages ------------------------------------------------------------------------
  // A live page (data-live-page="supplier"|"buyer") starts from the /state/ object rendered with
  // it (#live-state). applyState() is the one place a state reaches the page: the initial
  // render, every `state` message (connect, reconnect, polling) and every event, read as the
  // partial state it implies (stateOf). Elements say what they follow:
  //   data-live-when="open paused"  shown only in these statuses
  //   data-live-enabled="open"      a fieldset whose controls work only in these statuses
  //   data-live-badge, data-live-step (the stepper), data-live-deadline="|short|iso", data-countdown
  //   data-live-notice              one message box: each message replaces the one before
  var STATUS_LABELS = { published: "Published", open: "Open", paused: "Paused", closed: "Closed",
    evaluation: "Evaluation", awarded: "Awarded", no_award: "No award", cancelled: "Cancelled" };
  var NOTICES = {  // the paused texts are also rendered by the server (includes/live_notice.html)
    supplier: {
      paused: "Bidding is paused by the buyer{reason}. The clock is stopped; the deadline moves by the time it stays paused.",
      resumed: "Bidding has resumed; it now closes at {time}.",
      extended: "Deadline extended to {time} by a late bid{count}.",
      amended: "Amendment {number}: the buyer moved the deadline to {when}. Acknowledge it before your next bid.",
      closed: "Bidding has closed.{lead} The buyer now evaluates the bids.",
      cancelled: "The buyer cancelled this auction.",
      mode: "The buyer switched this auction to sealed bids. Reloading…" },
    buyer: {
      paused: "Bidding is paused{reason}. Suppliers have been told; the clock is stopped and the deadline moves by the time it stays paused.",
      resumed: "Bidding resumed; it now closes at {time}.",
      extended: "A late bid extended the deadline to {time}{count}.",
      amended: "Amendment {number} moved the deadline to {when}; suppliers have been told.",
      closed: "Bidding has closed.{lead} Compare the bids and award on the evaluation page.",
      cancelled: "The auction was cancelled.",
      mode: "The auction now collects sealed bids; suppliers have been told." }
  };

  function stateOf(body) {  // the part of the state an event tells
    switch (body.type) {
      case "deadline_extended": return { bidding_deadline: body.bidding_deadline, extensions: body.extension_number };
      case "auction_paused": return { status: "paused", bidding_deadline: body.bidding_deadline, paused_at: body.at };
      case "auction_resumed": case "auction_opened":
        return { status: "open", bidding_deadline: body.bidding_deadline, paused_at: null };
      case "auction_closed": return { status: body.status || "closed", bidding_deadline: body.bidding_deadline };
    }
    return null;
  }

  function livePage(marker, followers) {
    var texts = NOTICES[marker.dataset.livePage] || NOTICES.buyer;
    var notice = document.querySelector("[data-live-notice]");
    var live = { status: null, deadline: NaN, skew: 0, pausedAt: null };

    function say(about, kind, text) {
      if (!notice) return;
      notice.dataset.about = about;
      notice.hidden = !text;
      notice.className = text ? "flash flash--" + kind : "";
      notice.textContent = text || "";
    }
    function statusNotice() {  // a status learnt without its event (a reconnect): say what it means now
      if (!notice || notice.dataset.about === live.status) return;
      var values = { time: zoneTime(live.deadline) };
      if (live.status === "paused") say("paused", "warning", fill(texts.paused, values));
      else if (live.status === "open") say("open", "info", notice.dataset.about === "paused" ? fill(texts.resumed, values) : "");
      else if (texts[live.status]) say(live.status, "info", fill(texts[live.status], values));
    }
    function eventNotice(body) {
      var values = { time: zoneTime(body.bidding_deadline), reason: body.reason ? ": " + body.reason : "",
        number: body.amendment ? String(body.amendment.number) : "",
        when: body.bidding_deadline ? zoneDate(Date.parse(body.bidding_deadline), "short") : "",
        count: body.max_extensions ? " (extension " + body.extension_number + " of " + body.max_extensions + ")" : "",
        lead: body.leading_bid ? " Final leading bid: " + money(body.leading_bid, live.currency,
          (String(body.leading_bid).split(".")[1] || "").length) + "." : "" };
      var message = { auction_paused: ["warning", texts.paused], auction_resumed: ["info", texts.resumed],
        auction_opened: ["info", ""], deadline_extended: ["warning", body.amendment ? texts.amended : texts.extended],
        auction_closed: ["info", texts[live.status]], mode_changed: ["info", texts.mode] }[body.type];
      if (message) say(live.status, message[0], fill(message[1] || "", values));
    }
    function showStatus() {
      var status = live.status;
      document.querySelectorAll("[data-live-badge]").forEach(function (badge) {
        badge.className = "badge badge--lg s-" + status;
        badge.textContent = STATUS_LABELS[status] || status;
      });
      document.querySelectorAll("[data-live-when]").forEach(function (el) {
        el.hidden = el.dataset.liveWhen.split(" ").indexOf(status) < 0;
      });
      document.querySelectorAll("[data-live-enabled]").forEach(function (el) {
        el.disabled = el.dataset.liveEnabled.split(" ").indexOf(status) < 0;
      });
      var steps = Array.prototype.slice.call(document.querySelectorAll("[data-live-step]"));
      var at = steps.map(function (li) { return li.dataset.liveStep; }).indexOf(status === "paused" ? "open" : status);
      if (at >= 0) steps.forEach(function (li, i) {
        li.className = "is-" + (i < at ? "done" : i === at ? "current" : "todo");
        if (i === at) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
        li.textContent = i === at && status === "paused" ? STATUS_LABELS.paused : li.dataset.label;
      });
    }
    function showDeadline() {  // the deadline in words, and the countdown: running, held while paused, or over
      if (isNaN(live.deadline)) return;
      document.querySelectorAll("[data-live-deadline]").forEach(function (el) {
        showMoment(el, live.deadline, el.dataset.liveDeadline);
      });
      var held = live.status === "open" ? null : live.status === "paused" ? Math.max(0, live.deadline - live.pausedAt) : 0;
      countdowns.forEach(function (c) { c.deadline = live.deadline; c.skew = live.skew; c.held = held; });
      tick();
    }
    function applyState(state) {
      if (state.server_time) live.skew = Date.parse(state.server_time) - Date.now();
      if (state.bidding_deadline) live.deadline = Date.parse(state.bidding_deadline);
      if (state.currency) live.currency = state.currency;
      if (state.status) live.status = state.status;
      if ("paused_at" in state) live.pausedAt = state.paused_at ? Date.parse(state.paused_at) : null;
      if (live.status !== "paused") live.pausedAt = null;
      else if (live.pausedAt === null) live.pausedAt = Date.now() + live.skew;  // not told when: from now
      showStatus();
      showDeadline();
      statusNotice();
    }

    applyState(JSON.parse(document.getElementById("live-state").textContent));
    var connection = liveConnection(marker.dataset.rfq, document.querySelector("[data-connection]"), function (body) {
      var state = body.type === "state" ? body : stateOf(body);
      if (state) applyState(state);
      if (body.type !== "state") eventNotice(body);
      if (body.amendment) amendmentBanner(body.amendment);
      followers.forEach(function (follow) { follow(body, connection); });
    });
  }

  // A supplier's reverse-auction figures, as far as the settings disclose them.
  function liveFigures(panel) {
    var currency = panel.dataset.currency, digits = parseInt(panel.dataset.digits, 10);
    var amount = panel.querySelector("[data-bid-amount]"), typed = false, refreshTimer = null;
    var FIGURES = ["leading_bid", "your_best", "minimum_next_bid", "your_rank", "bid_count"];
    if (amount) amount.addEventListener("input", function () { typed = true; });
    panel.querySelectorAll("[data-lot] [data-bid-amount]").forEach(function (input) {
      input.addEventListener("input", function () { input.dataset.typed = "1"; });
    });
    // A field the user is in is theirs: replacing its value under the caret would splice the
    // next allowed bid into what they are typing ("940.00900.00").
    function focused(input) { return document.activeElement === input; }
    function field(scope, key) {  // the auction's figure, or (scope: a lot's row) that line's
      var found = null;
      scope.querySelectorAll("[data-state=" + key + "]").forEach(function (el) {
        if (!found && (scope !== panel || !el.closest("[data-lot]"))) found = el;
      });
      return found;
    }
    function setLines(lines) {  // lots: each line's figures (api.md `lines`)
      (lines || []).forEach(function (line) {
        var row = panel.querySelector('[data-lot="' + line.line_item_id + '"]');
        if (!row) return;
        FIGURES.forEach(function (key) { if (key in line) setField(key, line[key], row); });
        var input = row.querySelector("[data-bid-amount]");
        if (input && !input.dataset.typed && !focused(input) && line.minimum_next_bid) input.value = localAmount(line.minimum_next_bid);
      });
    }
    function setField(key, value, scope) {
      var el = field(scope || panel, key);
      if (!el) return;
      if (["leading_bid", "your_best", "minimum_next_bid"].indexOf(key) >= 0) {
        el.textContent = money(value, currency, digits) || (key === "leading_bid" ? "No bids yet" : "—");
      } else {
        el.textContent = value === null || value === undefined ? "—" : value;
      }
    }
    function refreshSoon(connection) {  // the state holds what events do not: your best, the next allowed bid
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(connection.refresh, 150);
    }
    return function (body, connection) {
      switch (body.type) {
        case "state":
          FIGURES.forEach(function (key) { if (key in body) setField(key, body[key]); });
          if (amount && !typed && !focused(amount) && body.minimum_next_bid) amount.value = localAmount(body.minimum_next_bid);
          setLines(body.lines);
          break;
        case "rank_changed":
          setField("your_rank", body.your_rank,
                   body.line_item_id ? panel.querySelector('[data-lot="' + body.line_item_id + '"]') : null);
          break;
        case "bid_placed": case "bid_withdrawn": case "auction_closed":
          if ("leading_bid" in body) setField("leading_bid", body.leading_bid);
          if ("bid_count" in body) setField("bid_count", body.bid_count);
          setLines(body.lines);
          refreshSoon(connection); break;
        case "mode_changed":  // sealed collection from now on: the page is rendered for it
          window.setTimeout(function () { window.location.reload(); }, 1200);
          break;
      }
    };
  }

  // The buyer's bids panel: re-rendered by the server on every message (and every 5 s only
  // when live delivery is blocked, with the polling).
  function liveFragment(panel) {
    var loading = false, again = false;
    function reload() {
      if (loading) { again = true; return; }
      loading = true;
      fetch(panel.dataset.liveFragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html) panel.querySelector("[data-fragment-body]").innerHTML = html;
        })
        .catch(function () { /* the next event or round tries again */ })
        .then(function () { loading = false; if (again) { again = false; reload(); } });
    }
    return function () { reload(); };
  }

  // A supplier's banner of amendments to acknowledge: a live amendment adds its line (the
  // server renders the ones already there, each with its acknowledge form).
  function amendmentBanner(amendment) {
    var banner = document.querySelector("[data-amendment-banner]");
    if (!banner || banner.querySelector('[data-amendment="' + amendment.number + '"]')) return;
    var item = banner.querySelector("template[data-amendment-template]").content.firstElementChild.cloneNode(true);
    item.dataset.amendment = amendment.number;
    item.querySelectorAll("[data-amendment-number]").forEach(function (el) { el.textContent = amendment.number; });
    item.querySelector("[data-amendment-reason]").textContent = amendment.reason || "";
    var form = item.querySelector("[data-amendment-form]");
    form.action = form.getAttribute("action").replace(/\/amendments\/0\//, "/amendments/" + amendment.number + "/");
    banner.querySelector("[data-amendment-items]").appendChild(item);
    banner.hidden = false;
  }

  var liveMarker = document.querySelector("[data-live-page]");
  if (liveMarker) {
    var followers = [];
    document.querySelectorAll("[data-live-state]").forEach(function (panel) { followers.push(liveFigures(panel)); });
    document.querySelectorAll("[data-live-fragment]").forEach(function (panel) { followers.push(liveFragment(panel)); });
    livePage(liveMarker, followers);
  }
});
