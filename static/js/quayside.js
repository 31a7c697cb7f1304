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
});
