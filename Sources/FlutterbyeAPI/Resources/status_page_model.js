// The status page's pure parts (GET /assets/status-page-model.js): what the page shows, from what the API and the
// event stream send. No DOM, no network, no clock (times are passed in). status_page.js draws it;
// StatusPageModelTests runs these functions in headless Chromium.
"use strict";

var FlutterbyeStatusModel = (function () {
  /** Every job state, in the order the page shows them. */
  const STATES = ["available", "running", "submitted", "confirmed", "finalized", "retryable", "failed", "cancelled"];
  /** The subprotocol of the event stream; the server answers with it (never with the token). */
  const STREAM_PROTOCOL = "flutterbye.v1";
  /** The prefix of the subprotocol that carries the API token, base64url-encoded. */
  const TOKEN_PROTOCOL_PREFIX = "flutterbye.bearer.";
  /** The kinds of events the page follows. */
  const STREAM_KINDS = "job_state,flby_movement,transaction_dropped";

  /** `text` (UTF-8) in base64url without padding: what a subprotocol may carry, whatever the token's characters. */
  function base64url(text) {
    const bytes = new TextEncoder().encode(String(text));
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /** The subprotocols a browser offers to open the event stream with `token` (it cannot set Authorization there). */
  function subprotocols(token) {
    return [STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX + base64url(token)];
  }

  /** The event stream's URL on the page's own host: resuming after `cursor`, or from now on. Never the token. */
  function streamURL(location, cursor) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const start = cursor ? "cursor=" + encodeURIComponent(cursor) : "from=latest";
    return scheme + "//" + location.host + "/v1/events?" + start + "&kinds=" + STREAM_KINDS;
  }

  /** A stream message as an object with a string `type`; null for anything else. */
  function parseMessage(text) {
    try {
      const message = JSON.parse(text);
      return message !== null && typeof message === "object" && typeof message.type === "string" ? message : null;
    } catch (error) {
      return null;
    }
  }

  /** A job as the table shows it, from the API's Job (GET /v1/jobs, /v1/jobs/{id}, cancel, retry). */
  function jobRow(job) {
    const errors = Array.isArray(job.errors) ? job.errors : [];
    return {
      id: job.id,
      key: job.idempotency_key,
      name: job.name,
      symbol: job.symbol,
      state: job.state,
      attempts: job.attempts,
      error: errors.length > 0 ? errors[errors.length - 1] : null,
      signature: job.signature,
      mint: job.mint_address,
    };
  }

  /**
   * The row after a job_state event (`data`), or a new row for a job the page did not show: its state and attempt,
   * its signature and mint as the job has them, and the ended attempt's error when the event has one (the last
   * error seen stays otherwise).
   */
  function applyJobEvent(row, data) {
    const base = row || {
      id: data.job_id, key: data.idempotency_key, name: null, symbol: null, state: null, attempts: 0, error: null,
      signature: null, mint: null,
    };
    return Object.assign({}, base, {
      key: typeof data.idempotency_key === "string" ? data.idempotency_key : base.key,
      state: data.state,
      attempts: typeof data.attempt === "number" ? data.attempt : base.attempts,
      signature: data.signature !== undefined && data.signature !== null ? data.signature : base.signature,
      mint: data.mint_address !== undefined && data.mint_address !== null ? data.mint_address : base.mint,
      error: data.error ? data.error : base.error,
    });
  }

  /**
   * The row with what a job read from the API adds: its name, symbol and last error; its state and attempts only
   * when no event has set them (an answer may have been read before the latest event).
   */
  function describeJob(row, job) {
    const read = jobRow(job);
    if (!row || row.state === null) return read;
    return Object.assign({}, row, { name: read.name, symbol: read.symbol, key: read.key, error: read.error || row.error });
  }

  /** Whether a job (by id) belongs among the `limit` newest the table shows (`ids`: the ids shown). */
  function keepsJob(ids, id, limit) {
    if (ids.length < limit) return true;
    return id > Math.min.apply(null, ids);
  }

  /** The `limit` newest rows (by id), newest first. */
  function newestJobs(rows, limit) {
    return rows.slice().sort(function (a, b) { return b.id - a.id; }).slice(0, limit);
  }

  /** What an operator may do to a job: cancel it before its transaction is sent, retry it once it failed. */
  function jobActions(row) {
    const waiting = row.state === "available" || row.state === "retryable" || row.state === "running";
    return { cancel: waiting && !row.signature, retry: row.state === "failed" };
  }

  function movementKey(movement) {
    return movement.signature + "#" + movement.movement_index;
  }

  /** `list` with `incoming` movements added (each once), newest slot first, at most `limit`. */
  function mergeMovements(list, incoming, limit) {
    const byKey = new Map();
    for (const movement of list.concat(incoming || [])) {
      if (movement && typeof movement.signature === "string") byKey.set(movementKey(movement), movement);
    }
    return Array.from(byKey.values()).sort(function (a, b) {
      return b.slot - a.slot || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0)
        || a.movement_index - b.movement_index;
    }).slice(0, limit);
  }

  /** `list` without the movements of a transaction the chain dropped. */
  function dropTransaction(list, signature) {
    return list.filter(function (movement) { return movement.signature !== signature; });
  }

  /** The explorer link of a transaction, from the server's https template with `{signature}`; null without one. */
  function explorerLink(template, signature) {
    if (typeof template !== "string" || !template.startsWith("https://") || !signature) return null;
    return template.replace("{signature}", encodeURIComponent(signature));
  }

  /** A duration for people: "0.42 s", "12.3 s", "4 min 05 s", "2 h 03 min"; "–" without one. */
  function formatSeconds(seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds) || seconds < 0) return "–";
    if (seconds < 1) return seconds.toFixed(2) + " s";
    if (seconds < 60) return seconds.toFixed(1) + " s";
    const whole = Math.floor(seconds);
    if (whole < 3600) return Math.floor(whole / 60) + " min " + String(whole % 60).padStart(2, "0") + " s";
    return Math.floor(whole / 3600) + " h " + String(Math.floor(whole / 60) % 60).padStart(2, "0") + " min";
  }

  /** A rate as a percentage: "0.5 %"; "–" without one. */
  function formatRate(rate) {
    if (typeof rate !== "number" || !isFinite(rate)) return "–";
    return (rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1) + " %";
  }

  /** A long address or signature as its first and last four characters. */
  function shorten(text) {
    if (typeof text !== "string") return "–";
    return text.length > 12 ? text.slice(0, 4) + "…" + text.slice(-4) : text;
  }

  /** Jobs confirmed a minute over the last `count` minutes of the record. */
  function throughput(minutes, count) {
    const recent = (minutes || []).slice(-count);
    if (recent.length === 0) return 0;
    return recent.reduce(function (sum, minute) { return sum + minute.confirmed; }, 0) / recent.length;
  }

  /** The smallest of 1, 2, 5 times a power of ten at or above `value` (at least 1). */
  function niceCeiling(value) {
    if (!(value > 1)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (step * power >= value) return step * power;
    }
    return 10 * power;
  }

  /**
   * The latency chart's geometry in a `width` by `height` box: the y axis's top (seconds), and for p50 and p95 the
   * runs of consecutive minutes with a value, each a list of [x, y] points (a minute without confirmations breaks
   * the line).
   */
  function latencyChart(minutes, width, height, padding) {
    const list = minutes || [];
    let top = 0;
    for (const minute of list) {
      for (const value of [minute.confirmation_p50_seconds, minute.confirmation_p95_seconds]) {
        if (typeof value === "number" && isFinite(value) && value > top) top = value;
      }
    }
    top = niceCeiling(top);
    const span = Math.max(1, list.length - 1);
    function runs(member) {
      const result = [];
      let run = [];
      list.forEach(function (minute, index) {
        const value = minute[member];
        if (typeof value === "number" && isFinite(value)) {
          const x = padding + (index * (width - 2 * padding)) / span;
          const y = height - padding - (Math.min(value, top) / top) * (height - 2 * padding);
          run.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
        } else if (run.length > 0) {
          result.push(run);
          run = [];
        }
      });
      if (run.length > 0) result.push(run);
      return result;
    }
    return { top: top, p50: runs("confirmation_p50_seconds"), p95: runs("confirmation_p95_seconds") };
  }

  /** How long to wait before reconnecting after `failures` failures in a row: 1 s doubling to 30 s. */
  function backoff(failures) {
    return Math.min(30000, 1000 * Math.pow(2, Math.max(0, Math.min(failures, 5))));
  }

  /** How long until a refresh last run at `last` may run again, `interval` apart (milliseconds). */
  function throttleDelay(last, now, interval) {
    return Math.max(0, last + interval - now);
  }

  return {
    STATES: STATES, STREAM_PROTOCOL: STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX: TOKEN_PROTOCOL_PREFIX,
    base64url: base64url, subprotocols: subprotocols, streamURL: streamURL, parseMessage: parseMessage, jobRow: jobRow,
    applyJobEvent: applyJobEvent, describeJob: describeJob, keepsJob: keepsJob, newestJobs: newestJobs,
    jobActions: jobActions, mergeMovements: mergeMovements, dropTransaction: dropTransaction,
    explorerLink: explorerLink, formatSeconds: formatSeconds, formatRate: formatRate, shorten: shorten,
    throughput: throughput, niceCeiling: niceCeiling, latencyChart: latencyChart, backoff: backoff,
    throttleDelay: throttleDelay,
  };
})();
