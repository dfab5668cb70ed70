// A pod's log followed live: GET .../log?follow=true read as a stream (fetch and a
// ReadableStream), each line appended as text. Stop aborts the request; a log that ends (the
// container stopped, the server went) says so and can be followed again.

import { h, replace, text } from './dom.js';
import { followLog } from './api.js';

const MAX_LINES = 5000;

export function logsView(ctx) {
  const title = h('h3', null, 'No pod chosen: pick one in Pods.');
  const container = h('select', { 'aria-label': 'Container' });
  const follow = h('button', { type: 'button' }, 'Follow');
  const state = h('p', { class: 'muted log-state', role: 'status' });
  const output = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Log output' });
  const el = h('div', null, h('h2', null, 'Logs'), title,
    h('div', { class: 'row' }, h('label', null, 'Container ', container), follow), state, output);
  let pod = null;
  let abort = null;

  function stop(message) {
    if (abort) abort.abort();
    abort = null;
    text(follow, 'Follow');
    if (message) text(state, message);
  }

  async function start() {
    stop();
    if (!pod) return;
    output.replaceChildren();
    const controller = new AbortController();
    abort = controller;
    text(follow, 'Stop');
    text(state, 'following…');
    let lines = 0;
    try {
      const response = await followLog(pod.metadata.namespace, pod.metadata.name, container.value, controller.signal);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let partial = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parts = (partial + value).split('\n');
        partial = parts.pop();
        const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
        for (const line of parts) {
          output.appendChild(document.createTextNode(line + '\n'));
          if (++lines > MAX_LINES) output.firstChild.remove();
        }
        if (atBottom) output.scrollTop = output.scrollHeight;
      }
      if (partial) output.appendChild(document.createTextNode(partial));
      if (abort === controller) stop('the log ended (the container stopped or the connection closed)');
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (abort === controller) stop('cannot follow the log: ' + e.message);
    }
  }

  follow.addEventListener('click', () => (abort ? stop('stopped') : start()));
  container.addEventListener('change', () => start());

  function open(p) {
    pod = p;
    text(title, p.metadata.namespace + '/' + p.metadata.name);
    replace(container, (p.spec.containers || []).map((c) => h('option', { value: c.name }, c.name)));
    start();
  }

  return { el, kinds: [], render: () => {}, open };
}
