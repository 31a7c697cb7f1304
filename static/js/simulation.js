// What-if simulation page: while a long simulation runs as a task, poll its progress (the
// API's GET …/simulations/{id}/, session cookie) and reload the page when it is done.
(function () {
  var card = document.querySelector("[data-poll-url]");
  if (!card) return;
  var bar = card.querySelector("[data-testid=simulation-progress]");
  var text = card.querySelector("[data-testid=simulation-progress-text]");
  function poll() {
    fetch(card.getAttribute("data-poll-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (simulation) {
        if (!simulation) return setTimeout(poll, 3000);
        if (simulation.status !== "running") return window.location.reload();
        if (bar) bar.value = simulation.progress;
        if (text) text.textContent = Math.round(simulation.progress * 100) + " %";
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
