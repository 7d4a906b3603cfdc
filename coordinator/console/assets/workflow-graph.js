// A workflow's graph, drawn in the browser with Mermaid (served from the package at /assets/mermaid.min.js,
// loaded on first use; strict security: labels are text, no script, no links). The page gives the graph's
// Mermaid text (labels entity-encoded on the server), the job id of each node (node jN is job N) and the
// `classDef` of each job state; drawGraph adds a `class` line per state, so job ids never enter the text here.

const STATES = new Set(['pending', 'queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'skipped']);

let loading = null;

/** window.mermaid, its script loaded once (a classic script: it defines a global). */
function loadMermaid() {
  if (window.mermaid) return Promise.resolve(window.mermaid);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/assets/mermaid.min.js';
    script.addEventListener('load', () => {
      const dark = matchMedia('(prefers-color-scheme: dark)').matches;
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default', flowchart: { useMaxWidth: true } });
      resolve(window.mermaid);
    });
    script.addEventListener('error', () => reject(new Error('could not load /assets/mermaid.min.js')));
    document.head.append(script);
  });
  return loading;
}

let sequence = 0;
const drawing = new WeakMap();

/** The Mermaid text of `figure`'s graph with `states` (a Map of job id → state), or without states. */
export function graphText(figure, states) {
  const base = figure.querySelector('.graph-src').textContent;
  if (!states) return base;
  const nodes = JSON.parse(figure.dataset.nodes);
  const byState = new Map();
  nodes.forEach((job, i) => {
    const state = states.get(job);
    if (STATES.has(state)) byState.set(state, [...(byState.get(state) ?? []), `j${i}`]);
  });
  const lines = figure.dataset.classdefs.split('\n').map((line) => `  ${line}`);
  for (const [state, ids] of byState) lines.push(`  class ${ids.join(',')} ${state}`);
  return `${base.trimEnd()}\n${lines.join('\n')}\n`;
}

/**
 * Draw `figure`'s graph with `states` (Map job id → state; null: no states). Draws run one at a time per
 * figure, and only the latest asked for is drawn. Each node gets data-job and data-state attributes.
 */
export function drawGraph(figure, states) {
  const entry = drawing.get(figure) ?? { busy: false, next: undefined };
  drawing.set(figure, entry);
  entry.next = states;
  if (entry.busy) return;
  entry.busy = true;
  const run = async () => {
    while (entry.next !== undefined) {
      const wanted = entry.next;
      entry.next = undefined;
      await drawOnce(figure, wanted);
    }
    entry.busy = false;
  };
  run();
}

async function drawOnce(figure, states) {
  const box = figure.querySelector('.graph-svg');
  try {
    const mermaid = await loadMermaid();
    const id = `wf-graph-${++sequence}`;
    const { svg, bindFunctions } = await mermaid.render(id, graphText(figure, states));
    // Mermaid's own output (sanitized by it in strict mode), not text of ours.
    box.innerHTML = svg;
    bindFunctions?.(box);
    const nodes = JSON.parse(figure.dataset.nodes);
    for (const node of box.querySelectorAll('g.node')) {
      const match = /(?:^|-)j(\d+)(?:-|$)/.exec(node.id);
      const job = match ? nodes[Number(match[1])] : undefined;
      if (job === undefined) continue;
      node.setAttribute('data-job', job);
      const state = states?.get(job);
      if (state !== undefined) node.setAttribute('data-state', state);
    }
    figure.dataset.drawn = String(sequence);
    figure.classList.remove('graph-failed');
  } catch (error) {
    figure.classList.add('graph-failed');
    box.textContent = `The graph could not be drawn (${error?.message ?? error}); its Mermaid text is below.`;
    figure.querySelector('details.graph-text')?.setAttribute('open', '');
  }
}

/** The states a page was served with (`data-states`), as a Map. */
export function statesOf(figure) {
  if (figure.dataset.states === undefined) return null;
  return new Map(Object.entries(JSON.parse(figure.dataset.states)));
}

for (const figure of document.querySelectorAll('[data-graph]')) drawGraph(figure, statesOf(figure));
