// The status page's script (GET /assets/status-page.js): signs in with the API token (kept in session storage,
// never in a URL), reads the status routes, follows GET /v1/events and redraws what changed without reloading, and
// cancels or retries jobs. Everything the API sends goes into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const M = window.FlutterbyeStatusModel;
  const TOKEN_KEY = "flutterbye.apiToken";
  const JOB_LIMIT = 25;
  const MOVEMENT_LIMIT = 20;
  /** Counters are read again at most this often while events arrive... */
  const REFRESH_INTERVAL = 2000;
  /** ...and this often when nothing happens (the index's lag moves on its own). */
  const IDLE_INTERVAL = 15000;

  const explorerTemplate = document.body.dataset.explorerTransaction;
  const page = {
    token: null, generation: 0, socket: null, cursor: null, ready: false, pending: [], failures: 0,
    jobs: new Map(), movements: [], lastRefresh: 0, refreshTimer: null, idleTimer: null, reconnectTimer: null,
  };

  function $(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgElement(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const name of Object.keys(attributes)) node.setAttribute(name, String(attributes[name]));
    return node;
  }

  function setText(id, text) { $(id).textContent = text; }

  function setConnection(state, text) {
    const node = $("connection");
    node.dataset.state = state;
    node.textContent = text;
  }

  /** Shows a problem (`kind` "action": an operator's click; "api": reading the API), or clears that kind's. */
  function notice(text, kind) {
    const node = $("notice");
    if (!text && node.dataset.kind !== kind) return;
    node.textContent = text || "";
    node.dataset.kind = kind;
    node.hidden = !text;
  }

  // --- The API ----------------------------------------------------------------------------------------------------

  class Unauthorized extends Error {}

  async function api(path, method) {
    const response = await fetch(path, {
      method: method || "GET", cache: "no-store", credentials: "omit", redirect: "error",
      headers: { "Authorization": "Bearer " + page.token, "Accept": "application/json" },
    });
    let body = null;
    try { body = await response.json(); } catch (error) { body = null; }
    if (response.status === 401) throw new Unauthorized("the API token was refused");
    if (!response.ok) {
      const message = body && body.error && typeof body.error.message === "string" ? body.error.message : "HTTP " + response.status;
      throw new Error(message);
    }
    return body;
  }

  /** Shows what went wrong (`kind` as for notice, "api" by default); a refused token signs out. */
  function failed(error, kind) {
    if (error instanceof Unauthorized) {
      signOut("The API token was refused: enter a valid one.");
    } else {
      notice(String(error && error.message ? error.message : error), kind || "api");
    }
  }

  // --- Signing in and out -----------------------------------------------------------------------------------------

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    page.generation += 1;
    page.token = null;
    if (page.socket) page.socket.close(1000);
    page.socket = null;
    for (const timer of [page.refreshTimer, page.reconnectTimer]) clearTimeout(timer);
    clearInterval(page.idleTimer);
    Object.assign(page, { cursor: null, ready: false, pending: [], jobs: new Map(), movements: [], refreshTimer: null });
    $("status").hidden = true;
    $("notice").hidden = true;
    $("sign-in").hidden = false;
    $("sign-out").hidden = true;
    setText("sign-in-error", message || "");
    setConnection("offline", "signed out");
  }

  async function start(token) {
    page.token = token;
    page.generation += 1;
    $("sign-in").hidden = true;
    $("status").hidden = false;
    $("sign-out").hidden = false;
    setText("sign-in-error", "");
    try {
      await refreshCounters();
    } catch (error) {
      failed(error);
      // A refused token signs out; anything else (the database down, say) is retried by the stream and the timer.
      if (error instanceof Unauthorized) return;
    }
    connect();
    page.idleTimer = setInterval(scheduleRefresh, IDLE_INTERVAL);
  }

  // --- The event stream -------------------------------------------------------------------------------------------

  function connect() {
    const generation = page.generation;
    setConnection("connecting", "connecting…");
    const socket = new WebSocket(M.streamURL(window.location, page.cursor), M.subprotocols(page.token));
    page.socket = socket;
    socket.onmessage = function (message) {
      if (generation === page.generation) receive(M.parseMessage(message.data));
    };
    socket.onclose = function (event) {
      if (generation !== page.generation) return;
      page.socket = null;
      // 1008: the cursor was pruned meanwhile; start again from now, with the tables read again.
      if (event.code === 1008) Object.assign(page, { cursor: null, ready: false });
      const delay = M.backoff(page.failures);
      page.failures += 1;
      setConnection("offline", "offline, reconnecting in " + Math.round(delay / 1000) + " s");
      page.reconnectTimer = setTimeout(connect, delay);
      // A refused handshake shows only as a close: a token no longer accepted signs out here.
      refreshCounters().catch(failed);
    };
  }

  function receive(message) {
    if (!message) return;
    if (message.type === "subscribed") {
      page.failures = 0;
      setConnection("live", "live");
      const resumed = page.ready && page.cursor !== null;
      page.cursor = message.cursor;
      if (!resumed) loadTables();
      return;
    }
    if (message.type !== "event") return;
    page.cursor = message.cursor;
    if (page.ready) {
      apply(message);
    } else {
      page.pending.push(message);
    }
  }

  /** Reads the recent jobs and movements after the stream has started, then applies what it sent meanwhile. */
  async function loadTables() {
    const generation = page.generation;
    page.ready = false;
    try {
      const answers = await Promise.all([api("/v1/jobs?limit=" + JOB_LIMIT), api("/v1/index")]);
      if (generation !== page.generation) return;
      page.jobs = new Map(answers[0].jobs.map(function (job) { return [job.id, M.jobRow(job)]; }));
      page.movements = M.mergeMovements([], answers[1].recent_movements, MOVEMENT_LIMIT);
      renderIndex(answers[1]);
      page.ready = true;
      const pending = page.pending;
      page.pending = [];
      for (const message of pending) apply(message);
      renderJobs();
      renderMovements();
    } catch (error) {
      if (generation !== page.generation) return;
      failed(error);
      if (page.token) setTimeout(function () { if (generation === page.generation) loadTables(); }, 5000);
    }
  }

  function apply(message) {
    const data = message.data || {};
    if (message.kind === "job_state" && typeof data.job_id === "number") {
      const known = page.jobs.get(data.job_id);
      if (!known && !M.keepsJob(Array.from(page.jobs.keys()), data.job_id, JOB_LIMIT)) return;
      page.jobs.set(data.job_id, M.applyJobEvent(known, data));
      if (!known) describe(data.job_id);
      renderJobs();
      scheduleRefresh();
    } else if (message.kind === "flby_movement") {
      page.movements = M.mergeMovements(page.movements, [data], MOVEMENT_LIMIT);
      renderMovements();
      scheduleRefresh();
    } else if (message.kind === "transaction_dropped") {
      page.movements = M.dropTransaction(page.movements, data.signature);
      renderMovements();
    }
  }

  /** Reads a job the stream introduced, for its name and symbol. */
  function describe(id) {
    const generation = page.generation;
    api("/v1/jobs/" + encodeURIComponent(id)).then(function (job) {
      if (generation !== page.generation || !page.jobs.has(id)) return;
      page.jobs.set(id, M.describeJob(page.jobs.get(id), job));
      renderJobs();
    }).catch(failed);
  }

  // --- Counters ---------------------------------------------------------------------------------------------------

  function scheduleRefresh() {
    if (page.refreshTimer !== null || !page.token) return;
    page.refreshTimer = setTimeout(function () {
      page.refreshTimer = null;
      refreshCounters().catch(failed);
    }, M.throttleDelay(page.lastRefresh, Date.now(), REFRESH_INTERVAL));
  }

  async function refreshCounters() {
    const generation = page.generation;
    page.lastRefresh = Date.now();
    const answers = await Promise.all([api("/v1/stats"), api("/v1/index")]);
    if (generation !== page.generation) return;
    renderStats(answers[0]);
    renderIndex(answers[1]);
    page.movements = M.mergeMovements(page.movements, answers[1].recent_movements, MOVEMENT_LIMIT);
    renderMovements();
    setText("updated", "updated " + new Date().toLocaleTimeString());
    notice("", "api");
  }

  // --- Drawing ----------------------------------------------------------------------------------------------------

  function renderStats(stats) {
    const jobs = stats.jobs;
    $("queue-states").replaceChildren(...M.STATES.map(function (state) {
      const tile = element("div", "tile state-" + state);
      tile.dataset.state = state;
      tile.append(element("span", "count", jobs.by_state[state] || 0), element("span", "label", state));
      return tile;
    }));
    setText("oldest-waiting", jobs.oldest_waiting_seconds > 0 ? M.formatSeconds(jobs.oldest_waiting_seconds) : "none waiting");
    setText("throughput", M.throughput(jobs.minutes, 5).toFixed(1) + " confirmed a minute (last 5 min)");
    setText("last-hour", jobs.confirmed + " confirmed, " + jobs.failed + " failed");
    setText("success-rate", M.formatRate(jobs.success_rate));
    setText("rpc-error-rate", M.formatRate(stats.rpc.error_rate) + " of " + stats.rpc.requests + " requests");
    setText("latency-summary", "hour: p50 " + M.formatSeconds(jobs.confirmation_p50_seconds) + ", p95 "
      + M.formatSeconds(jobs.confirmation_p95_seconds));
    renderChart(jobs.minutes);
  }

  function renderChart(minutes) {
    const width = 640, height = 180, padding = 28;
    const chart = M.latencyChart(minutes, width, height, padding);
    const nodes = [];
    for (const fraction of [0, 0.5, 1]) {
      const y = height - padding - fraction * (height - 2 * padding);
      nodes.push(svgElement("line", { x1: padding, x2: width - padding, y1: y, y2: y, class: "grid" }));
      if (fraction === 0) continue;
      const label = svgElement("text", { x: padding + 2, y: y - 4, class: "axis", "text-anchor": "start" });
      label.textContent = M.formatSeconds(chart.top * fraction);
      nodes.push(label);
    }
    for (const [text, x, anchor] of [["60 min ago", padding, "start"], ["now", width - padding, "end"]]) {
      const label = svgElement("text", { x: x, y: height - 8, class: "axis", "text-anchor": anchor });
      label.textContent = text;
      nodes.push(label);
    }
    for (const series of ["p95", "p50"]) {
      for (const run of chart[series]) {
        const points = run.map(function (point) { return point.join(","); }).join(" ");
        nodes.push(svgElement("polyline", { points: points, class: "line " + series }));
        for (const point of run) nodes.push(svgElement("circle", { cx: point[0], cy: point[1], r: 2.5, class: "dot " + series }));
      }
    }
    $("latency-chart").replaceChildren(...nodes);
  }

  function cell(text, className, title) {
    const node = element("td", className, text);
    if (title) node.title = title;
    return node;
  }

  function signatureCell(signature) {
    const node = element("td", "mono");
    const link = M.explorerLink(explorerTemplate, signature);
    if (link) {
      const anchor = element("a", null, M.shorten(signature));
      anchor.href = link;
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
      anchor.title = signature;
      node.append(anchor);
    } else {
      node.textContent = signature ? M.shorten(signature) : "–";
    }
    return node;
  }

  function renderJobs() {
    const rows = M.newestJobs(Array.from(page.jobs.values()), JOB_LIMIT);
    $("job-rows").replaceChildren(...rows.map(function (job) {
      const row = element("tr");
      row.dataset.jobId = String(job.id);
      row.dataset.state = job.state || "";
      const key = element("td", "key");
      key.append(element("span", "mono", job.key));
      if (job.name) key.append(element("span", "token-name", job.name + (job.symbol ? " (" + job.symbol + ")" : "")));
      const state = element("td");
      state.append(element("span", "badge state-" + job.state, job.state));
      const error = job.error ? job.error.class + ": " + job.error.message : "";
      const actions = element("td", "actions");
      const allowed = M.jobActions(job);
      for (const action of ["cancel", "retry"]) {
        if (!allowed[action]) continue;
        const button = element("button", "action", action === "cancel" ? "Cancel" : "Retry");
        button.type = "button";
        button.dataset.action = action;
        button.dataset.jobId = String(job.id);
        actions.append(button);
      }
      const current = job.state === "failed" || job.state === "retryable";
      row.append(cell(job.id, "mono"), key, state, cell(job.attempts), cell(error, current ? "error-text" : "error-text past", error),
        signatureCell(job.signature), actions);
      return row;
    }));
  }

  function renderIndex(index) {
    setText("finalized-watermark", index.finalized_watermark === null ? "–" : index.finalized_watermark);
    setText("chain-slot", index.chain_slot === null ? "–" : index.chain_slot);
    setText("newest-indexed-slot", index.newest_indexed_slot === null ? "–" : index.newest_indexed_slot);
    setText("discovered-accounts", index.discovered_accounts);
    $("address-rows").replaceChildren(...index.addresses.map(function (address) {
      const row = element("tr");
      row.dataset.role = address.role;
      const updated = address.updated_at ? new Date(address.updated_at).toLocaleTimeString() : "–";
      row.append(cell(address.role), cell(M.shorten(address.address), "mono", address.address),
        cell(address.newest_slot === null ? "–" : address.newest_slot), cell(address.lag_slots === null ? "–" : address.lag_slots, "lag"),
        cell(updated));
      return row;
    }));
  }

  function renderMovements() {
    $("movement-rows").replaceChildren(...page.movements.map(function (movement) {
      const row = element("tr");
      row.dataset.signature = movement.signature;
      row.append(cell(movement.slot), cell(movement.kind), cell(movement.amount, "mono"),
        cell(M.shorten(movement.source_owner || movement.source_account), "mono", movement.source_owner || movement.source_account),
        cell(M.shorten(movement.destination_owner || movement.destination_account), "mono",
          movement.destination_owner || movement.destination_account),
        signatureCell(movement.signature));
      return row;
    }));
  }

  // --- Actions ----------------------------------------------------------------------------------------------------

  $("job-rows").addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const id = Number(button.dataset.jobId);
    const action = button.dataset.action;
    button.disabled = true;
    api("/v1/jobs/" + encodeURIComponent(id) + "/" + action, "POST").then(function (job) {
      // The stream brings the new state; the answer may be older than an event already applied.
      if (page.jobs.has(id)) page.jobs.set(id, M.describeJob(page.jobs.get(id), job));
      notice("", "action");
      scheduleRefresh();
    }).catch(function (error) {
      button.disabled = false;
      failed(error, "action");
    });
  });

  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const input = $("token-input");
    const token = input.value.trim();
    input.value = "";
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    start(token);
  });

  $("sign-out").addEventListener("click", function () { signOut(""); });

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved);
})();
