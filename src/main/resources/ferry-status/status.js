// Ferry's status page: reads the admin API (/api/...) and draws its charts with ECharts (from the webjar).
(function () {
  'use strict';
  const charts = {};

  async function get(path) {
    const res = await fetch(path);
    if (!res.ok) { throw new Error(path + ': HTTP ' + res.status); }
    return res.json();
  }

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    return td;
  }

  function chart(id, title, series, categories) {
    if (!charts[id]) { charts[id] = echarts.init(document.getElementById(id)); }
    charts[id].setOption({
      title: { text: title, textStyle: { fontSize: 13 } }, tooltip: { trigger: 'axis' }, legend: { top: 20 },
      grid: { top: 55, left: 55, right: 20, bottom: 30 },
      xAxis: { type: 'category', data: categories }, yAxis: { type: 'value' }, series: series
    }, true);
    document.getElementById(id).dataset.points = String(series.reduce((n, s) => n + s.data.length, 0));
  }

  async function act(integration, action) {
    const token = document.getElementById('token').value;
    const res = await fetch('/api/integrations/' + encodeURIComponent(integration) + '/' + action, {
      method: 'POST', headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'from the status page' })
    });
    const body = await res.json();
    document.getElementById('message').textContent = body.result || body.error;
    await refresh();
  }

  function button(label, integration, action) {
    const b = document.createElement('button');
    b.textContent = label;
    b.dataset.integration = integration;
    b.dataset.action = action;
    b.addEventListener('click', () => act(integration, action));
    return b;
  }

  async function refresh() {
    const states = await get('/api/integrations');
    const tbody = document.querySelector('#integrations tbody');
    tbody.replaceChildren();
    for (const s of states) {
      const tr = document.createElement('tr');
      tr.dataset.integration = s.integration;
      tr.append(cell(s.integration));
      const state = cell(s.state);
      state.className = 'state state-' + s.state;
      tr.append(state, cell(s.positionUpdatedAt), cell(s.lastRun ? '#' + s.lastRun.id + ' ' + s.lastRun.ended_at : ''),
        cell(s.lastRun ? s.lastRun.status : ''), cell(s.openDeadLetters));
      const actions = document.createElement('td');
      actions.append(s.state === 'paused' ? button('resume', s.integration, 'resume') : button('pause', s.integration, 'pause'),
        button('run now', s.integration, 'run'));
      tr.append(actions);
      tbody.append(tr);
    }

    // records per hour (promoted), per integration, on one hour axis
    const perHour = {};
    for (const s of states) {
      perHour[s.integration] = await get('/api/integrations/' + encodeURIComponent(s.integration) + '/records-per-hour?hours=48');
    }
    const hours = [...new Set(Object.values(perHour).flat().map(r => r.hour))].sort();
    chart('chart-records', 'Records promoted per hour', Object.entries(perHour).map(([name, rows]) => ({
      name: name, type: 'bar', stack: 'records',
      data: hours.map(h => { const r = rows.find(x => x.hour === h); return r ? Number(r.promoted) : 0; })
    })), hours);

    // run durations (seconds), newest 30 finished runs
    const runs = (await get('/api/runs?limit=100')).filter(r => r.duration_ms !== null && r.status !== 'SKIPPED').reverse().slice(-30);
    const names = [...new Set(runs.map(r => r.integration))];
    chart('chart-durations', 'Run durations (s)', names.map(n => ({
      name: n, type: 'line', connectNulls: true,
      data: runs.map(r => r.integration === n ? Number(r.duration_ms) / 1000 : null)
    })), runs.map(r => '#' + r.id));

    // reconciliation differences per check (missing + different), newest 50
    const recs = (await get('/api/reconciliations?limit=50')).reverse();
    chart('chart-differences', 'Reconciliation differences', [
      { name: 'missing', type: 'bar', stack: 'd', data: recs.map(r => Number(r.missing)) },
      { name: 'different', type: 'bar', stack: 'd', data: recs.map(r => Number(r.different)) },
      { name: 'mismatch', type: 'bar', stack: 'd', data: recs.map(r => r.status === 'MISMATCH' ? 1 : 0) }
    ], recs.map(r => r.integration + ' #' + r.id));

    const letters = await get('/api/dead-letters?status=NEW&limit=50');
    const lt = document.querySelector('#dead-letters tbody');
    lt.replaceChildren(...letters.map(d => {
      const tr = document.createElement('tr');
      tr.append(cell(d.id), cell(d.integration), cell(d.source_ref), cell(d.field), cell(d.reason), cell(d.times_seen));
      return tr;
    }));
    const mismatches = await get('/api/reconciliations?mismatches=true&limit=50');
    const mt = document.querySelector('#mismatches tbody');
    mt.replaceChildren(...mismatches.map(r => {
      const tr = document.createElement('tr');
      tr.append(cell(r.id), cell(r.integration), cell(r.run_id), cell(r.scope), cell(r.segment), cell(r.detail));
      return tr;
    }));
    document.body.dataset.loaded = 'true';
  }

  refresh().catch(e => { document.getElementById('message').textContent = e.message; });
  setInterval(() => refresh().catch(e => { document.getElementById('message').textContent = e.message; }), 30000);
})();
