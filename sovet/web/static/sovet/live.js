// Live session pages: one websocket per page to /ws/sessions/<id>/.
//
// Numbers that move with every ballot (turnout) and with every arrival (quorum) are changed in
// place from the event itself: thousands watch a congress, so no ballot makes anyone fetch
// anything. Rarer events (a poll opened or closed, the session's state, the floor) make the
// parts of the page that show them fetch themselves again, once, through htmx. After a
// reconnection the "state" message the server sends first says what was missed.
//
// Markup it reads: [data-live-session] with data-live-socket; [data-live-status] and
// [data-live-announce]; parts with data-live-url, data-live-on (event types) and an optional
// data-live-delay (ms); [data-turnout], [data-turnout-bar], [data-counted] + [data-newer],
// [data-quorum], [data-quorum-reached], [data-session-state], [data-poll][data-poll-state], and
// [data-shows-closed-polls] where closed polls are listed too.
(function () {
  "use strict";

  // A refusal sent to an htmx form comes with HX-Retarget: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if ((xhr.status === 400 || xhr.status === 403) && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Keyboard and screen-reader users keep their place: the answer to their form takes focus.
  document.addEventListener("htmx:afterSettle", function (event) {
    const done = event.detail.target && event.detail.target.querySelector("[data-focus]");
    if (done) done.focus();
  });

  const root = document.querySelector("[data-live-session]");
  if (!root || !("WebSocket" in window)) return;

  const statusLine = document.querySelector("[data-live-status]");
  const announcer = document.querySelector("[data-live-announce]");
  const pending = new Map();
  let socket = null;
  let attempt = 0;
  let connectedBefore = false;
  let retryTimer = null;

  function status(text, state) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.dataset.state = state;
  }

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function focusedIn(part) {
    return document.activeElement !== document.body && part.contains(document.activeElement);
  }

  // Never swap a part out from under the user (a half-filled ballot, a place in a table):
  // wait until the focus leaves it.
  function swap(part) {
    if (busy.has(part)) {
      wanted.add(part); // after the user's own request, whose answer must not be dropped
      pending.delete(part);
      return;
    }
    if (!focusedIn(part)) {
      pending.delete(part);
      // Each part is its own source: htmx runs one request per source and, while one runs,
      // keeps only the last one asked for; with the body as the source of every part, parts
      // fetched at once (a poll closed) would drop each other's requests.
      htmx.ajax("GET", part.dataset.liveUrl, { source: part, target: part, swap: "innerHTML" });
      return;
    }
    part.addEventListener("focusout", function left() {
      window.setTimeout(function () {
        if (focusedIn(part)) return;
        part.removeEventListener("focusout", left);
        swap(part);
      }, 0);
    });
  }

  // While the user's own request from inside a part runs, the part does not fetch itself: the
  // swap would remove the form, and htmx drops an answer whose form is gone. A fetch already
  // under way is aborted; the answer, rendered after it, is at least as new.
  const busy = new Map(); // part -> the user's requests from inside it now running
  const wanted = new Set(); // parts to fetch once those requests are done
  const partOf = new WeakMap(); // the element that sent a request -> its part
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const part = elt && elt.closest ? elt.closest("[data-live-url]") : null;
    if (!part || elt === part) return;
    partOf.set(elt, part);
    busy.set(part, (busy.get(part) || 0) + 1);
    htmx.trigger(part, "htmx:abort");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const part = partOf.get(event.detail.elt);
    if (!part) return;
    partOf.delete(event.detail.elt);
    const left = (busy.get(part) || 1) - 1;
    if (left > 0) {
      busy.set(part, left);
      return;
    }
    busy.delete(part);
    if (wanted.delete(part)) refetch(part);
  });

  // The answer to the user's own last action (a notice) outlives a part fetching itself again:
  // what it fetches is newer data, not a reply, and the event of that very action often
  // arrives just after the answer.
  const answers = new Map();
  document.addEventListener("htmx:beforeSwap", function (event) {
    const part = event.detail.target;
    const request = event.detail.requestConfig;
    if (part && part.dataset && part.dataset.liveUrl && request && request.verb === "get") {
      answers.set(part, part.querySelector('.notice[role="status"]'));
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    const part = event.detail.target;
    if (!answers.has(part)) return;
    const answer = answers.get(part);
    answers.delete(part);
    const slot = part.querySelector('[role="alert"][id$="-alert"]');
    if (!answer || !slot || part.querySelector('.notice[role="status"]')) return;
    answer.removeAttribute("data-focus"); // shown again, never focused again
    slot.after(answer);
  });

  function refetch(part) {
    if (pending.has(part) || typeof htmx === "undefined") return;
    const delay = Number(part.dataset.liveDelay || 200);
    pending.set(part, window.setTimeout(function () { swap(part); }, delay));
  }

  function refetchOn(type) {
    all("[data-live-on]").forEach(function (part) {
      if (part.dataset.liveOn.split(" ").indexOf(type) !== -1) refetch(part);
    });
  }

  function setTurnout(poll, votes) {
    all('[data-turnout="' + poll + '"]').forEach(function (el) { el.textContent = String(votes); });
    all('[data-turnout-bar="' + poll + '"]').forEach(function (el) { el.value = votes; });
    all('[data-counted="' + poll + '"]').forEach(function (el) {
      const newer = el.querySelector("[data-newer]");
      if (newer) newer.hidden = votes <= Number(el.dataset.votes);
    });
  }

  function setQuorum(quorum) {
    ["present", "entitled", "needed"].forEach(function (name) {
      all('[data-quorum="' + name + '"]').forEach(function (el) {
        el.textContent = String(quorum[name]);
      });
    });
    all("[data-turnout-bar]").forEach(function (el) { el.max = quorum.present; });
    all("[data-quorum-reached]").forEach(function (el) {
      const reached = quorum.reached ? "yes" : "no";
      if (el.dataset.quorumReached !== reached) {
        announce(quorum.reached ? "Quorum reached." : "Quorum lost.");
      }
      el.dataset.quorumReached = reached;
      el.textContent = quorum.reached ? "Quorum reached" : "No quorum";
    });
  }

  function question(poll) {
    const shown = document.querySelector('[data-poll="' + poll + '"][data-question]');
    return shown ? shown.dataset.question : "";
  }

  // What the page shows against the server's state: fetch again only what differs.
  function catchUp(state) {
    setQuorum(state.quorum);
    const shown = {};
    all("[data-poll][data-poll-state]").forEach(function (el) {
      shown[el.dataset.poll] = el.dataset.pollState;
    });
    const listsClosed = document.querySelector("[data-shows-closed-polls]") !== null;
    let pollsChanged = false;
    state.polls.forEach(function (poll) {
      const seen = shown[poll.poll];
      if (seen ? seen !== poll.state : poll.state === "open" || listsClosed) pollsChanged = true;
      if (poll.state === "open") setTurnout(poll.poll, poll.votes_cast);
    });
    if (pollsChanged) {
      refetchOn("poll.opened");
      refetchOn("poll.closed");
    }
    const session = document.querySelector("[data-session-state]");
    if (session && session.dataset.sessionState !== state.state) refetchOn("session");
    // Changes of the floor leave nothing in the state: after a gap, fetch it anyway.
    if (connectedBefore) refetchOn("floor");
  }

  function receive(event) {
    switch (event.type) {
      case "state":
        catchUp(event);
        connectedBefore = true;
        break;
      case "poll.turnout":
        setTurnout(event.poll, event.votes_cast);
        break;
      case "poll.opened":
        announce("Poll opened: " + event.question);
        refetchOn("poll.opened");
        break;
      case "poll.closed":
        setTurnout(event.poll, event.votes);
        announce("Poll closed: " + question(event.poll) +
          (event.result && event.result.sentence ? ": " + event.result.sentence : ""));
        refetchOn("poll.closed");
        break;
      case "quorum":
        setQuorum(event);
        refetchOn("quorum");
        break;
      case "session":
        announce("The session is " + event.state + ".");
        refetchOn("session");
        break;
      default:
        refetchOn(event.type);
    }
  }

  function connect() {
    retryTimer = null;
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.liveSocket);
    status(connectedBefore ? "Reconnecting…" : "Connecting…", "connecting");
    socket.onopen = function () {
      attempt = 0;
      status("Live: this page updates as the session goes on.", "live");
    };
    socket.onmessage = function (message) {
      receive(JSON.parse(message.data));
    };
    socket.onclose = function (closed) {
      socket = null;
      if (closed.code === 4403) {
        status("Not live: live updates are not open to you. Reload the page to see changes.", "off");
        return;
      }
      // Back off up to half a minute, spread so that a congress does not reconnect at once.
      const wait = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      status("Connection lost: trying again in " + Math.ceil(wait / 1000) + " s.", "lost");
      retryTimer = window.setTimeout(connect, wait);
    };
  }

  window.addEventListener("online", function () {
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      connect();
    }
  });
  connect();
})();
