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

  // Live reverse auction for a supplier: poll the state API and update what it discloses.
  document.querySelectorAll("[data-live-state]").forEach(function (panel) {
    var url = panel.dataset.liveState, currency = panel.dataset.currency, digits = parseInt(panel.dataset.digits, 10);
    var amount = panel.querySelector("[data-bid-amount]"), typed = false;
    if (amount) amount.addEventListener("input", function () { typed = true; });
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) return;
          if (state.status !== panel.dataset.status) { window.location.reload(); return; }
          ["leading_bid", "your_best", "minimum_next_bid"].forEach(function (key) {
            var el = panel.querySelector("[data-state=" + key + "]");
            if (el && key in state) el.textContent = money(state[key], currency, digits) || (key === "leading_bid" ? "No bids yet" : "—");
          });
          ["your_rank", "bid_count"].forEach(function (key) {
            var el = panel.querySelector("[data-state=" + key + "]");
            if (el && key in state) el.textContent = state[key] === null ? "—" : state[key];
          });
          if (amount && !typed && state.minimum_next_bid) amount.value = state.minimum_next_bid;
          var deadline = Date.parse(state.bidding_deadline);
          var deadlineText = panel.querySelector("[data-state-deadline]");
          if (deadlineText && !isNaN(deadline)) {
            var d = new Date(deadline);
            deadlineText.textContent = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
              pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
          }
          countdowns.forEach(function (c) {
            if (panel.contains(c.el) && !isNaN(deadline)) {
              c.deadline = deadline;
              c.skew = Date.parse(state.server_time) - Date.now();
            }
          });
        })
        .catch(function () { /* the next poll tries again */ });
    }
    window.setInterval(poll, 5000);
  });

  // Server-rendered panels that refresh themselves: <div data-live-fragment="<url>" data-status="open">.
  // When the RFQ's status changes (closed, paused…) the whole page reloads, buttons and all.
  document.querySelectorAll("[data-live-fragment]").forEach(function (panel) {
    var timer = window.setInterval(function () {
      fetch(panel.dataset.liveFragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { window.clearInterval(timer); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null || html === undefined) return;
          var status = /data-fragment-status="([a-z_]+)"/.exec(html);
          if (status && panel.dataset.status && status[1] !== panel.dataset.status) { window.location.reload(); return; }
          panel.innerHTML = html;
        })
        .catch(function () { /* the next poll tries again */ });
    }, 5000);
  });
});
