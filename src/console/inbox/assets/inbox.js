/* global document, window, fetch, DOMParser */
/*
 * The console inbox: new inquiries appear without a reload, and the list is worked from the
 * keyboard. The page works without this script (a "refresh" link, plain links and forms).
 *
 * Live rows: every POLL_MS the script asks /console/inbox/live (the same filter as the page) for
 * the first page's rows as they are now, and inserts the rows it does not show yet where the
 * server's order puts them, with a visible "new" marker, and updates the counts on the status
 * tabs. Polling, not Server-Sent Events fed by LISTEN/NOTIFY, because:
 *  - each open tab would hold an HTTP/1.1 connection for good, and browsers allow six per host:
 *    a seventh console tab would hang (the app serves HTTP/1.1 itself; a proxy may not add HTTP/2);
 *  - NOTIFY serialises committing transactions on a cluster-wide lock, and every intake would pay
 *    for it; the poll is one indexed query of the first page, the same one the page runs;
 *  - it needs nothing between app instances: any instance answers from the shared database, so
 *    two or more instances behind a balancer just work, with no listener connection to keep
 *    alive and no long-lived streams to end on shutdown;
 *  - it sees rows however they arrive (late commits, status changes by colleagues), because it
 *    compares ids, not a time watermark.
 * The first contact is due in minutes, so a few seconds' delay costs nothing. Polling pauses while
 * the tab is hidden and stops when the session ends (the answer is a redirect to sign-in).
 *
 * New rows are announced politely (aria-live) and focus is never moved by an update.
 *
 * Keyboard: j / k move to the next / previous inquiry (its link gets focus, Enter opens it), "/"
 * goes to the search field. No shortcut fires while typing in a field or with a modifier key.
 */
(function () {
  'use strict';
  var POLL_MS = 10000;

  function rowLinks() {
    return Array.prototype.slice.call(document.querySelectorAll('#inbox-table tbody a.row-link'));
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.isContentEditable || target.closest('input, textarea, select, [contenteditable]'));
  }

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (isTyping(e.target)) return;
    if (e.key === '/') {
      var search = document.getElementById('inbox-search');
      if (search) {
        e.preventDefault();
        search.focus();
      }
      return;
    }
    if (e.key !== 'j' && e.key !== 'k') return;
    var links = rowLinks();
    if (links.length === 0) return;
    e.preventDefault();
    var at = links.indexOf(document.activeElement);
    var next;
    if (at === -1) next = e.key === 'j' ? 0 : links.length - 1;
    else next = Math.max(0, Math.min(links.length - 1, at + (e.key === 'j' ? 1 : -1)));
    links[next].focus();
  });

  var table = document.getElementById('inbox-table');
  var liveUrl = table && table.getAttribute('data-live');
  if (!liveUrl) return;
  var tbody = table.tBodies[0];
  var region = document.getElementById('inbox-live');
  var arrivedTotal = 0;
  var timer = null;
  var stopped = false;

  function shownIds() {
    var ids = {};
    var rows = tbody.querySelectorAll('tr[data-inquiry]');
    for (var i = 0; i < rows.length; i++) ids[rows[i].getAttribute('data-inquiry')] = rows[i];
    return ids;
  }

  function merge(doc) {
    var fresh = doc.querySelectorAll('tbody tr[data-inquiry]');
    var shown = shownIds();
    var added = 0;
    for (var i = 0; i < fresh.length; i++) {
      var id = fresh[i].getAttribute('data-inquiry');
      if (shown[id]) continue;
      // Before the next row of the server's order that is already on the page, else at the end.
      var before = null;
      for (var j = i + 1; j < fresh.length && !before; j++) {
        before = shown[fresh[j].getAttribute('data-inquiry')] || null;
      }
      var row = document.importNode(fresh[i], true);
      row.classList.add('arrived');
      var marker = row.querySelector('.badge-arrived');
      if (marker) marker.hidden = false;
      tbody.insertBefore(row, before);
      shown[id] = row;
      added += 1;
    }
    if (added > 0) {
      var empty = tbody.querySelector('tr.empty-row');
      if (empty) empty.remove();
      arrivedTotal += added;
      if (region) {
        var message = region.getAttribute('data-message') || '{n}';
        region.textContent = message.replace('{n}', String(arrivedTotal));
      }
    }
    var counts = doc.querySelectorAll('[data-count-status]');
    for (var k = 0; k < counts.length; k++) {
      var status = counts[k].getAttribute('data-count-status');
      var target = document.querySelector('[data-count="' + status + '"]');
      if (target) target.textContent = counts[k].textContent;
    }
  }

  function schedule() {
    if (stopped) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    if (stopped) return;
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(liveUrl, { credentials: 'same-origin', redirect: 'manual', headers: { accept: 'text/html' } })
      .then(function (res) {
        // A redirect (the session ended) or a refusal: stop; the page itself says what to do next.
        if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403) {
          stopped = true;
          return null;
        }
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (text) merge(new DOMParser().parseFromString(text, 'text/html'));
      })
      .catch(function () {
        // Offline for a moment: try again at the next tick.
      })
      .then(schedule);
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && !stopped) {
      window.clearTimeout(timer);
      poll();
    }
  });
  schedule();
})();
