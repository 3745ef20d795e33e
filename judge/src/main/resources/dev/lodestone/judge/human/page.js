// The labelling page: fetches the next item through the API and sends the verdict. Responses are
// written with textContent, never as HTML.
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  let current = null;
  let busy = false;

  function status(text) {
    $('status').textContent = text;
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) {
      return null;
    }
    const json = await response.json();
    if (!response.ok) {
      throw new Error(json.error || ('HTTP ' + response.status));
    }
    return json;
  }

  function show(item) {
    current = item;
    if (item === null) {
      $('item').hidden = true;
      status('Nothing to judge right now; this page looks again every few seconds.');
      setTimeout(next, 3000);
      return;
    }
    $('prompt').textContent = item.prompt.text;
    $('response-a').textContent = item.a.text;
    $('response-b').textContent = item.b.text;
    $('cut-a').hidden = !item.a.truncated;
    $('cut-b').hidden = !item.b.truncated;
    $('version').textContent = String(item.policyVersion);
    $('waiting').textContent = String(item.waitingPairs);
    $('answered').textContent = String(item.answered);
    $('rationale').value = '';
    $('item').hidden = false;
    status('Which response is better?');
  }

  async function next() {
    try {
      show(await call('POST', '/api/v1/items/next'));
    } catch (e) {
      status('Could not fetch an item: ' + e.message);
      setTimeout(next, 5000);
    }
  }

  async function answer(verdict) {
    if (busy || current === null) {
      return;
    }
    busy = true;
    try {
      const rationale = $('rationale').value.trim();
      const body = { verdict: verdict };
      if (rationale.length > 0) {
        body.rationale = rationale;
      }
      const result = await call('POST', '/api/v1/items/' + encodeURIComponent(current.itemId) + '/verdict', body);
      $('answered').textContent = String(result.answered);
      current = null;
      await next();
    } catch (e) {
      status('Your answer was not taken: ' + e.message);
      current = null;
      setTimeout(next, 1500);
    } finally {
      busy = false;
    }
  }

  document.querySelectorAll('button[data-verdict]').forEach((b) => {
    b.addEventListener('click', () => answer(b.dataset.verdict));
  });
  const keys = { '1': 'A', '2': 'B', '3': 'TIE', '4': 'BOTH_BAD', '5': 'SKIP' };
  document.addEventListener('keydown', (e) => {
    if (e.target && (e.target.tagName === 'TEXTAREA' || e.target.tagName === 'INPUT')) {
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    const verdict = keys[e.key];
    if (verdict) {
      e.preventDefault();
      answer(verdict);
    }
  });
  next();
})();
