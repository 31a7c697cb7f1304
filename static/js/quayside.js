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
  var countdowns = [];
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var skew = Date.parse(el.dataset.serverTime) - Date.now();
    countdowns.push({ el: el, deadline: Date.parse(el.dataset.countdown), skew: isNaN(skew) ? 0 : skew });
  });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function tick() {
    countdowns.forEach(function (c) {
      var left = Math.floor((c.deadline - (Date.now() + c.skew)) / 1000);
      if (left <= 0) { c.el.textContent = "Closed"; c.el.classList.add("is-over"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      c.el.textContent = d > 0 ? d + " d " + h + " h " + pad(m) + " min" : (h > 0 ? h + " h " : "") + pad(m) + ":" + pad(s);
      c.el.classList.toggle("is-urgent", left < 300);
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
        var qty = toScaled(row.dataset.qty), price = toScaled(input.value);
        if (!input.value.trim()) { out.textContent = "—"; return; }
        if (!qty || !price) { out.textContent = "?"; invalid = true; return; }
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
        if (typeof body.seq === "number" && body.seq > lastSeq) lastSeq = body.seq;
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

  function showNotice(panel, kind, text) {
    var box = panel.querySelector("[data-live-notice]");
    if (!box) return;
    box.className = "flash flash--" + kind;
    box.textContent = text;
    box.hidden = false;
  }
  function utcTime(iso) {
    var d = new Date(Date.parse(iso));
    return isNaN(d) ? "" : pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  // Live reverse auction for a supplier: what the settings disclose, updated as it happens.
  document.querySelectorAll("[data-live-state]").forEach(function (panel) {
    var currency = panel.dataset.currency, digits = parseInt(panel.dataset.digits, 10);
    var amount = panel.querySelector("[data-bid-amount]"), typed = false, refreshTimer = null;
    if (amount) amount.addEventListener("input", function () { typed = true; });
    function setField(key, value) {
      var el = panel.querySelector("[data-state=" + key + "]");
      if (!el) return;
      if (["leading_bid", "your_best", "minimum_next_bid"].indexOf(key) >= 0) {
        el.textContent = money(value, currency, digits) || (key === "leading_bid" ? "No bids yet" : "—");
      } else {
        el.textContent = value === null || value === undefined ? "—" : value;
      }
    }
    function setDeadline(iso, serverTime) {
      var deadline = Date.parse(iso);
      if (isNaN(deadline)) return;
      var text = panel.querySelector("[data-state-deadline]");
      if (text) {
        var d = new Date(deadline);
        text.textContent = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
          pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
      }
      countdowns.forEach(function (c) {
        if (!panel.contains(c.el)) return;
        c.deadline = deadline;
        if (serverTime) c.skew = Date.parse(serverTime) - Date.now();
      });
      tick();
    }
    function closeBidding(text) {
      var form = panel.querySelector("form.bid-form");
      if (form) form.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
      panel.dataset.status = "closed";
      showNotice(panel, "info", text);
    }
    function applyState(state) {
      ["leading_bid", "your_best", "minimum_next_bid", "your_rank", "bid_count"].forEach(function (key) {
        if (key in state) setField(key, state[key]);
      });
      if (amount && !typed && state.minimum_next_bid) amount.value = state.minimum_next_bid;
      setDeadline(state.bidding_deadline, state.server_time);
      if (state.status === "paused" && panel.dataset.status !== "paused") {
        panel.dataset.status = "paused";
        showNotice(panel, "warning", "The buyer has paused bidding. The deadline moves by the time it stays paused.");
      }
    }
    function refreshSoon() {  // the state holds what events do not: your best, the next allowed bid
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(live.refresh, 150);
    }
    var live = liveConnection(panel.dataset.rfq, panel.querySelector("[data-connection]"), function (body) {
      switch (body.type) {
        case "state": applyState(body); break;
        case "rank_changed": setField("your_rank", body.your_rank); break;
        case "bid_placed": case "bid_withdrawn":
          if ("leading_bid" in body) setField("leading_bid", body.leading_bid);
          if ("bid_count" in body) setField("bid_count", body.bid_count);
          refreshSoon(); break;
        case "deadline_extended":
          setDeadline(body.bidding_deadline);
          showNotice(panel, "warning", "Deadline extended to " + utcTime(body.bidding_deadline) + " UTC by a late bid" +
            (body.max_extensions ? " (extension " + body.extension_number + " of " + body.max_extensions + ")." : "."));
          break;
        case "auction_paused":
          panel.dataset.status = "paused";
          showNotice(panel, "warning", "The buyer has paused bidding" + (body.reason ? ": " + body.reason : "") +
            ". The deadline moves by the time it stays paused.");
          break;
        case "auction_resumed":
          panel.dataset.status = "open";
          setDeadline(body.bidding_deadline);
          showNotice(panel, "info", "Bidding has resumed; it now closes at " + utcTime(body.bidding_deadline) + " UTC.");
          break;
        case "mode_changed":  // sealed collection from now on: the page is rendered for it
          showNotice(panel, "info", "The buyer switched this auction to sealed bids. Reloading…");
          window.setTimeout(function () { window.location.reload(); }, 1200);
          break;
        case "auction_closed":
          if ("leading_bid" in body) setField("leading_bid", body.leading_bid);
          closeBidding(body.status === "cancelled" ? "The buyer cancelled this auction." :
            "Bidding has closed." + ("leading_bid" in body ? " Final leading bid: " + money(body.leading_bid, currency, digits) + "." : "") +
            " The buyer now evaluates the bids.");
          refreshSoon(); break;
      }
    });
  });

  // The buyer's live monitor: the bids panel re-renders on every event (and every 5 s only
  // when live delivery is blocked); extensions, pauses and the close are announced.
  document.querySelectorAll("[data-live-fragment]").forEach(function (panel) {
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
    liveConnection(panel.dataset.rfq, document.querySelector("[data-connection]"), function (body) {
      if (body.type === "deadline_extended") {
        showNotice(panel, "warning", "A late bid extended the deadline to " + utcTime(body.bidding_deadline) +
          " UTC (extension " + body.extension_number + (body.max_extensions ? " of " + body.max_extensions : "") + ").");
      } else if (body.type === "auction_paused") {
        showNotice(panel, "warning", "Bidding is paused. Suppliers have been told.");
      } else if (body.type === "auction_resumed") {
        showNotice(panel, "info", "Bidding resumed; it now closes at " + utcTime(body.bidding_deadline) + " UTC.");
      } else if (body.type === "mode_changed") {
        showNotice(panel, "info", "The auction now collects sealed bids; suppliers have been told.");
      } else if (body.type === "auction_closed") {
        showNotice(panel, "info", body.status === "cancelled" ? "The auction was cancelled." :
          "Bidding has closed. Reload the page to compare and award.");
      }
      reload();
    });
  });
});
