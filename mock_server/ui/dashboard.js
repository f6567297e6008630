// cartesia-fake dashboard: polls the tenant's picture, moves a virtual clock, shows a call.
(function () {
  "use strict";
  const file = document.body.dataset.mode === "file";
  const view = document.getElementById("view");
  const detail = document.getElementById("detail");
  const stateText = document.getElementById("state");
  let key = file ? "" : (sessionStorage.getItem("cartesia-fake-key") || "");
  let selected = null;
  let shown = "";
  let timer = null;

  function api(path, options) {
    const headers = { "Authorization": "Bearer " + key, "Cartesia-Version": "2026-08-14" };
    if (options && options.body) headers["Content-Type"] = "application/json";
    return fetch(path, Object.assign({ headers: headers, cache: "no-store" }, options || {}));
  }

  function mark() {
    document.querySelectorAll("g.call").forEach(function (g) {
      g.classList.toggle("selected", g.dataset.call === selected);
    });
  }

  async function refresh() {
    if (file || !key) return;
    try {
      const answer = await api("/__fake__/ui/view");
      if (!answer.ok) {
        stateText.textContent = "the fake answered " + answer.status + " for this key";
        stateText.className = "error";
        return;
      }
      const text = await answer.text();
      if (text !== shown) {  // unchanged: keep the DOM (hover, focus, selection stay)
        view.innerHTML = text;
        shown = text;
      }
      const virtual = view.querySelector("[data-clock-mode]");
      const mode = virtual ? virtual.dataset.clockMode : "real";
      document.querySelectorAll("#controls button").forEach(function (b) {
        b.disabled = mode !== "virtual";
      });
      stateText.textContent = "live · updated " + new Date().toLocaleTimeString();
      stateText.className = "";
      mark();
      if (selected) show(selected, false);
    } catch (err) {
      stateText.textContent = "cannot reach the fake";
      stateText.className = "error";
    }
  }

  async function show(callId, scroll) {
    selected = callId;
    mark();
    if (file) {
      const data = document.getElementById("details-" + callId);
      detail.innerHTML = data ? data.innerHTML : "<p class='muted'>No details kept.</p>";
      return;
    }
    const answer = await api("/__fake__/ui/calls/" + encodeURIComponent(callId));
    if (answer.ok) detail.innerHTML = await answer.text();
    if (scroll) detail.scrollTop = 0;
  }

  view.addEventListener("click", function (event) {
    const g = event.target.closest("g.call");
    if (g) show(g.dataset.call, true);
  });
  view.addEventListener("keydown", function (event) {
    const g = event.target.closest("g.call");
    if (g && (event.key === "Enter" || event.key === " ")) show(g.dataset.call, true);
  });

  if (!file) {
    const form = document.getElementById("key-form");
    const input = document.getElementById("key");
    input.value = key;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      key = input.value.trim();
      sessionStorage.setItem("cartesia-fake-key", key);
      selected = null;
      detail.innerHTML = "<p class='muted'>Click a call to see it.</p>";
      refresh();
      if (!timer) timer = setInterval(refresh, 1000);
    });
    document.querySelectorAll("#controls button").forEach(function (button) {
      button.addEventListener("click", async function () {
        const seconds = button.dataset.seconds;
        const path = seconds ? "/__fake__/clock/advance" : "/__fake__/clock/run-until-idle";
        const body = seconds ? JSON.stringify({ seconds: Number(seconds) }) : undefined;
        await api(path, { method: "POST", body: body });
        refresh();
      });
    });
    if (key) { refresh(); timer = setInterval(refresh, 1000); }
  }
})();
