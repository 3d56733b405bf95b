// ctshift report viewer: plain JavaScript on canvas, no libraries, nothing loaded from outside the file.
// Arrays are in display order (see DisplayGrid.java): x from the patient's right to left, y from
// anterior to posterior, z from inferior to superior; index x + nx * (y + ny * z).
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('ctshift-data').textContent);
  const report = data.report;
  const [nx, ny, nz] = data.grid.dims;
  const [sx, sy, sz] = data.grid.spacing_mm;
  const frames = data.frames;
  const scale = data.display_scale_hu;
  const PRESETS = { chest: [-300, 1500], soft: [40, 400], bone: [400, 1800] };
  const NEUTRAL = [255, 255, 255];
  const DECREASED = [0x1f, 0x4f, 0xd8];
  const INCREASED = [0xd8, 0x26, 0x1f];
  const VIEW_PX = 270; // CSS width of the widest view

  const state = {
    x: nx >> 1, y: ny >> 1, z: nz >> 1,
    frame: 0, // index into frames: 0 is λ*, the last is λ = 0
    level: data.window.level, width: data.window.width,
    opacity: 0,
  };
  let scan = null;
  const diffs = [];
  const $ = (id) => document.getElementById(id);
  const fmt = (v, digits) => (v === null || v === undefined || Number.isNaN(v)) ? '–'
    : Number(v).toPrecision(digits || 4).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');

  // ---- decoding: base64 -> gunzip (browser) -> byte planes -> zigzag -> running sum ----
  async function decode(id) {
    const text = $(id).textContent.trim();
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const planes = new Uint8Array(await new Response(stream).arrayBuffer());
    const n = planes.length >> 1;
    const out = new Int16Array(n);
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const zigzag = planes[i] | (planes[n + i] << 8);
      previous = (previous + ((zigzag >>> 1) ^ -(zigzag & 1))) << 16 >> 16;
      out[i] = previous;
    }
    return out;
  }

  // ---- colours (the same formulas as report/render/Window.java and Colormap.java) ----
  function grey(hu) {
    const t = (hu - (state.level - state.width / 2)) / state.width;
    return Math.round(255 * Math.max(0, Math.min(1, t)));
  }
  function blend(from, to, t, out) {
    for (let c = 0; c < 3; c++) out[c] = Math.round(from[c] + (to[c] - from[c]) * t);
  }
  function diverging(v, out) {
    const t = Math.max(-1, Math.min(1, v / scale));
    if (t < 0) blend(NEUTRAL, DECREASED, -t, out); else blend(NEUTRAL, INCREASED, t, out);
  }

  // The change of frame f at display voxel (x, y, z); reduced frames are stored per r x r block.
  function change(f, x, y, z) {
    const r = frames[f].reduction || 1;
    const d = diffs[f];
    if (r === 1) return d[x + nx * (y + ny * z)];
    const mx = Math.ceil(nx / r), my = Math.ceil(ny / r);
    return d[((x / r) | 0) + mx * (((y / r) | 0) + my * z)];
  }

  // ---- planes: image size and the voxel behind each pixel ----
  const PLANES = {
    axial: { w: nx, h: ny, wMm: nx * sx, hMm: ny * sy, labels: ['A', 'P', 'R', 'L'],
      voxel: (c, r) => [c, r, state.z], pos: () => 'slice ' + sliceLabel() },
    coronal: { w: nx, h: nz, wMm: nx * sx, hMm: nz * sz, labels: ['S', 'I', 'R', 'L'],
      voxel: (c, r) => [c, state.y, nz - 1 - r], pos: () => 'y ' + state.y + '/' + ny },
    sagittal: { w: ny, h: nz, wMm: ny * sy, hMm: nz * sz, labels: ['S', 'I', 'A', 'P'],
      voxel: (c, r) => [state.x, c, nz - 1 - r], pos: () => 'x ' + state.x + '/' + nx },
  };
  const KINDS = ['input', 'frame', 'change'];
  const pxPerMm = VIEW_PX / Math.max(nx * sx, ny * sy, nz * sz);
  const cells = {};

  // The scan's own slice index k for the display position (k is the third voxel axis of the file).
  function kOf() {
    const axis = data.grid.k_axis;
    const n = data.grid.dims[axis];
    const d = [state.x, state.y, state.z][axis];
    return data.grid.k_flipped ? n - 1 - d : d;
  }
  function setK(k) {
    const axis = data.grid.k_axis;
    const n = data.grid.dims[axis];
    const d = Math.max(0, Math.min(n - 1, data.grid.k_flipped ? n - 1 - k : k));
    if (axis === 0) state.x = d; else if (axis === 1) state.y = d; else state.z = d;
  }
  function sliceLabel() {
    return data.grid.k_axis === 2 ? 'k = ' + kOf() + ' of ' + nz : 'z ' + state.z + '/' + nz;
  }

  function buildViews() {
    const root = $('views');
    root.appendChild(document.createElement('div'));
    const heads = ['input', 'frame', 'change (frame − input)'];
    for (const h of heads) {
      const d = document.createElement('div');
      d.className = 'head';
      d.textContent = h;
      if (h === 'frame') d.id = 'frame-head';
      root.appendChild(d);
    }
    root.appendChild(document.createElement('div'));
    for (const plane of Object.keys(PLANES)) {
      const p = PLANES[plane];
      const rowHead = document.createElement('div');
      rowHead.className = 'rowhead';
      rowHead.textContent = plane;
      root.appendChild(rowHead);
      for (const kind of KINDS) {
        const cell = document.createElement('div');
        cell.className = 'cell';
        const canvas = document.createElement('canvas');
        canvas.width = p.w;
        canvas.height = p.h;
        canvas.id = plane + '-' + kind;
        canvas.style.width = Math.round(p.wMm * pxPerMm) + 'px';
        canvas.style.height = Math.round(p.hMm * pxPerMm) + 'px';
        cell.appendChild(canvas);
        ['t', 'b', 'l', 'r'].forEach((side, i) => {
          const s = document.createElement('span');
          s.className = 'lab ' + side;
          s.textContent = p.labels[i];
          cell.appendChild(s);
        });
        const pos = document.createElement('span');
        pos.className = 'pos';
        cell.appendChild(pos);
        const h = document.createElement('div');
        h.className = 'hline';
        const v = document.createElement('div');
        v.className = 'vline';
        cell.appendChild(h);
        cell.appendChild(v);
        canvas.addEventListener('click', (e) => clickView(plane, canvas, e));
        if (plane === 'axial') {
          canvas.addEventListener('wheel', (e) => {
            e.preventDefault();
            state.z = Math.max(0, Math.min(nz - 1, state.z + (e.deltaY > 0 ? -1 : 1)));
            draw();
          }, { passive: false });
        }
        cells[plane + '-' + kind] = { canvas, ctx: canvas.getContext('2d'), pos, h, v, plane, kind,
          image: canvas.getContext('2d').createImageData(p.w, p.h) };
        root.appendChild(cell);
      }
      root.appendChild(colorbar(plane === 'axial'));
    }
  }

  function colorbar(show) {
    const wrap = document.createElement('div');
    wrap.className = 'colorbar';
    if (!show) return wrap;
    const c = document.createElement('canvas');
    c.width = 14;
    c.height = 200;
    c.id = 'colorbar';
    const ctx = c.getContext('2d');
    const rgb = [0, 0, 0];
    for (let r = 0; r < c.height; r++) {
      diverging(scale * (1 - 2 * r / (c.height - 1)), rgb);
      ctx.fillStyle = 'rgb(' + rgb.join(',') + ')';
      ctx.fillRect(0, r, c.width, 1);
    }
    const ticks = document.createElement('div');
    ticks.className = 'ticks';
    for (const t of ['+' + fmt(scale, 3) + ' HU', '0', '−' + fmt(scale, 3) + ' HU']) {
      const s = document.createElement('span');
      s.textContent = t;
      ticks.appendChild(s);
    }
    wrap.appendChild(c);
    wrap.appendChild(ticks);
    wrap.title = 'change in HU: blue lowered, red raised';
    return wrap;
  }

  function clickView(plane, canvas, e) {
    const rect = canvas.getBoundingClientRect();
    const c = Math.max(0, Math.min(canvas.width - 1, Math.floor((e.clientX - rect.left) / rect.width * canvas.width)));
    const r = Math.max(0, Math.min(canvas.height - 1, Math.floor((e.clientY - rect.top) / rect.height * canvas.height)));
    const [x, y, z] = PLANES[plane].voxel(c, r);
    state.x = x;
    state.y = y;
    state.z = z;
    draw();
  }

  function drawCell(cell) {
    const p = PLANES[cell.plane];
    const px = cell.image.data;
    const rgb = [0, 0, 0];
    const f = state.frame;
    const overlay = cell.kind === 'input' && state.opacity > 0;
    let o = 0;
    for (let r = 0; r < p.h; r++) {
      for (let c = 0; c < p.w; c++, o += 4) {
        const [x, y, z] = p.voxel(c, r);
        const hu = scan[x + nx * (y + ny * z)];
        if (cell.kind === 'change') {
          diverging(change(f, x, y, z), rgb);
        } else {
          const g = grey(cell.kind === 'input' ? hu : hu + change(f, x, y, z));
          rgb[0] = rgb[1] = rgb[2] = g;
          if (overlay) {
            const d = change(f, x, y, z);
            const a = state.opacity * Math.min(1, Math.abs(d) / scale);
            if (a > 0) {
              const col = d < 0 ? DECREASED : INCREASED;
              for (let k = 0; k < 3; k++) rgb[k] = Math.round(rgb[k] * (1 - a) + col[k] * a);
            }
          }
        }
        px[o] = rgb[0];
        px[o + 1] = rgb[1];
        px[o + 2] = rgb[2];
        px[o + 3] = 255;
      }
    }
    cell.ctx.putImageData(cell.image, 0, 0);
    cell.pos.textContent = p.pos();
    // Crosshair at the other two planes' positions.
    const cross = { axial: [state.x, state.y, nx, ny], coronal: [state.x, nz - 1 - state.z, nx, nz],
      sagittal: [state.y, nz - 1 - state.z, ny, nz] }[cell.plane];
    cell.v.style.left = ((cross[0] + 0.5) / cross[2] * 100) + '%';
    cell.h.style.top = ((cross[1] + 0.5) / cross[3] * 100) + '%';
  }

  function draw() {
    for (const key of Object.keys(cells)) drawCell(cells[key]);
    $('slice').value = String(state.z);
    const fr = frames[state.frame];
    const label = data.no_sweep ? 'no sweep: the counterfactual is the scan (λ* = 0)'
      : 'λ = ' + fmt(fr.lambda, 5) + ' · ' + scoreName() + ' ';
    $('frame-label').textContent = label;
    if (!data.no_sweep) {
      const s = document.createElement('b');
      s.id = 'frame-score';
      s.textContent = fmt(fr.score, 6);
      $('frame-label').appendChild(s);
      $('frame-label').appendChild(document.createTextNode(
        state.frame === 0 ? ' (counterfactual, λ*)' : state.frame === frames.length - 1 ? ' (λ = 0)' : ''));
    }
    $('frame-head').textContent = state.frame === 0 ? 'counterfactual (λ*)' : 'frame at λ = ' + fmt(fr.lambda, 4);
    drawScorePlot();
    drawSlicePlot();
  }

  function scoreName() {
    return (report.target && report.target.name) || 'score';
  }

  // ---- plots (SVG) ----
  const SVG = 'http://www.w3.org/2000/svg';
  function el(parent, name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  }
  function axes(svg, x0, x1, y0, y1, xLabel, yLabel) {
    const W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
    const m = { l: 52, r: 12, t: 10, b: 32 };
    const sxf = (v) => m.l + (x1 === x0 ? 0.5 : (v - x0) / (x1 - x0)) * (W - m.l - m.r);
    const syf = (v) => H - m.b - (y1 === y0 ? 0.5 : (v - y0) / (y1 - y0)) * (H - m.t - m.b);
    el(svg, 'line', { class: 'axis', x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b });
    el(svg, 'line', { class: 'axis', x1: m.l, y1: m.t, x2: m.l, y2: H - m.b });
    el(svg, 'text', { x: m.l, y: H - m.b + 14, 'text-anchor': 'start' }, fmt(x0, 3));
    el(svg, 'text', { x: W - m.r, y: H - m.b + 14, 'text-anchor': 'end' }, fmt(x1, 3));
    el(svg, 'text', { x: (m.l + W - m.r) / 2, y: H - 4, 'text-anchor': 'middle' }, xLabel);
    el(svg, 'text', { x: m.l - 4, y: syf(y0) + 4, 'text-anchor': 'end' }, fmt(y0, 3));
    el(svg, 'text', { x: m.l - 4, y: syf(y1) + 4, 'text-anchor': 'end' }, fmt(y1, 3));
    el(svg, 'text', { x: 12, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 12 ' + (m.t + H - m.b) / 2 + ')' }, yLabel);
    return { sx: sxf, sy: syf, m, W, H };
  }

  function targetScore() {
    const s = report.search || {};
    return typeof s.target_score === 'number' ? s.target_score : null;
  }

  function drawScorePlot() {
    const svg = $('score-plot');
    svg.replaceChildren();
    const steps = ((report.search || {}).steps || []).filter((s) => s.score !== null);
    const pts = frames.filter((f) => typeof f.lambda === 'number');
    const lambdas = pts.map((f) => f.lambda).concat(steps.map((s) => s.lambda), [0]);
    const scores = pts.map((f) => f.score).concat(steps.map((s) => s.score));
    const t = targetScore();
    if (t !== null) scores.push(t);
    if (!scores.length) scores.push(0, 1);
    let y0 = Math.min(...scores), y1 = Math.max(...scores);
    const pad = (y1 - y0) * 0.05 || 0.05;
    y0 -= pad;
    y1 += pad;
    const a = axes(svg, Math.min(...lambdas), Math.max(...lambdas), y0, y1, 'λ', scoreName());
    if (t !== null) {
      el(svg, 'line', { class: 'target', x1: a.m.l, x2: a.W - a.m.r, y1: a.sy(t), y2: a.sy(t) });
      el(svg, 'text', { x: a.W - a.m.r - 2, y: a.sy(t) - 4, 'text-anchor': 'end' }, 'target ' + fmt(t, 3));
    }
    if (pts.length) {
      el(svg, 'polyline', { class: 'sweep', points: pts.map((f) => a.sx(f.lambda) + ',' + a.sy(f.score)).join(' ') });
    }
    for (const s of steps) {
      const X = a.sx(s.lambda), Y = a.sy(s.score);
      const g = el(svg, 'g', {});
      el(g, 'path', { class: 'step', d: `M${X - 4},${Y - 4}L${X + 4},${Y + 4}M${X - 4},${Y + 4}L${X + 4},${Y - 4}` });
      el(g, 'title', {}, 'search: λ ' + fmt(s.lambda, 5) + ', ' + fmt(s.score, 5));
    }
    frames.forEach((f, i) => {
      if (typeof f.lambda !== 'number') return;
      const c = el(svg, 'circle', { class: 'frame', cx: a.sx(f.lambda), cy: a.sy(f.score), r: 3.5 });
      el(c, 'title', {}, 'frame: λ ' + fmt(f.lambda, 5) + ', ' + fmt(f.score, 5));
      c.addEventListener('click', () => setFrame(i));
    });
    const cur = frames[state.frame];
    if (typeof cur.lambda === 'number') {
      el(svg, 'circle', { class: 'current', id: 'current-frame', cx: a.sx(cur.lambda), cy: a.sy(cur.score), r: 7 });
    }
  }

  function perSlice() {
    return ((report.slices || {}).mean_abs_change_hu_per_slice) || [];
  }

  let slicePlotAxes = null;
  function drawSlicePlot() {
    const svg = $('slice-plot');
    svg.replaceChildren();
    const v = perSlice();
    if (!v.length) return;
    const a = axes(svg, 0, v.length - 1, 0, Math.max(...v, 1e-6), 'slice k of the scan', 'HU');
    slicePlotAxes = a;
    const w = Math.max(1, (a.W - a.m.l - a.m.r) / v.length - 0.5);
    v.forEach((h, k) => {
      el(svg, 'rect', { class: 'bar', x: a.sx(k) - w / 2, y: a.sy(h), width: w, height: Math.max(0, a.sy(0) - a.sy(h)) });
    });
    const k = kOf();
    el(svg, 'line', { class: 'cursor', id: 'slice-cursor', x1: a.sx(k), x2: a.sx(k), y1: a.m.t, y2: a.sy(0) });
  }

  function clickSlicePlot(e) {
    const v = perSlice();
    if (!v.length || !slicePlotAxes) return;
    const svg = $('slice-plot');
    const rect = svg.getBoundingClientRect();
    const X = (e.clientX - rect.left) * (+svg.getAttribute('width')) / rect.width;
    const a = slicePlotAxes;
    const t = (X - a.m.l) / (a.W - a.m.l - a.m.r);
    setK(Math.round(t * (v.length - 1)));
    draw();
  }

  function setFrame(i) {
    state.frame = i;
    $('lambda').value = String(frames.length - 1 - i);
    draw();
  }

  // ---- controls ----
  function setupControls() {
    const preset = $('window-preset');
    const level = $('window-level');
    const width = $('window-width');
    const match = Object.keys(PRESETS).find((k) => PRESETS[k][0] === state.level && PRESETS[k][1] === state.width);
    preset.value = match || 'custom';
    level.value = state.level;
    width.value = state.width;
    preset.addEventListener('change', () => {
      if (PRESETS[preset.value]) {
        [state.level, state.width] = PRESETS[preset.value];
        level.value = state.level;
        width.value = state.width;
        draw();
      }
    });
    const custom = () => {
      const l = parseFloat(level.value), w = parseFloat(width.value);
      if (Number.isFinite(l) && Number.isFinite(w) && w > 0) {
        state.level = l;
        state.width = w;
        preset.value = 'custom';
        draw();
      }
    };
    level.addEventListener('change', custom);
    width.addEventListener('change', custom);
    $('overlay').addEventListener('input', () => {
      state.opacity = $('overlay').value / 100;
      $('overlay-value').textContent = $('overlay').value + '%';
      drawCells('input');
    });
    const slider = $('lambda');
    slider.max = String(frames.length - 1);
    slider.value = String(frames.length - 1 - state.frame);
    slider.disabled = data.no_sweep || frames.length < 2;
    slider.title = 'left: λ = 0 (the scan), right: λ* (the counterfactual)';
    slider.addEventListener('input', () => {
      state.frame = frames.length - 1 - parseInt(slider.value, 10);
      draw();
    });
    $('slice-plot').addEventListener('click', clickSlicePlot);
    const slice = $('slice');
    slice.max = String(nz - 1);
    slice.addEventListener('input', () => {
      state.z = parseInt(slice.value, 10);
      draw();
    });
  }

  function drawCells(kind) {
    for (const key of Object.keys(cells)) if (cells[key].kind === kind) drawCell(cells[key]);
  }

  // ---- facts ----
  function facts() {
    const table = $('facts');
    const row = (name, value, code) => {
      if (value === undefined || value === null || value === '') return;
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      const td = document.createElement('td');
      if (code) {
        const c = document.createElement('code');
        c.textContent = value;
        td.appendChild(c);
      } else {
        td.textContent = value;
      }
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    };
    const input = report.input || {};
    const sc = report.scores || {};
    const se = report.search || {};
    const tg = report.target || {};
    row('scan', input.path, true);
    row('format', [input.format, input.description].filter(Boolean).join(', '));
    row('size', input.dims && input.dims.join(' × ') + ' voxels');
    row('spacing', input.spacing_mm && input.spacing_mm.map((v) => fmt(v, 4)).join(' × ') + ' mm');
    row('orientation', input.orientation);
    row('model space', input.model_space_dims && input.model_space_dims.join(' × ') + ' (' + (input.preprocessing || []).join(', ') + ')');
    for (const role of ['autoencoder', 'model']) {
      const m = (report.models || {})[role];
      if (!m) continue;
      row(role, m.name + ' (' + [m.kind, m.format].filter(Boolean).join(', ') + ') ' + (m.directory || ''));
      for (const f of Object.keys(m.sha256 || {})) row('  sha256 ' + f, m.sha256[f], true);
    }
    row('target', [tg.name, tg.score].filter(Boolean).join(': ') + (tg.direction ? ', direction ' + tg.direction : ''));
    row('score on the scan', fmt(sc.scan, 6));
    row('score on the reconstruction', fmt(sc.reconstruction, 6));
    row('reconstruction gap', fmt(sc.reconstruction_gap, 6) + ' (scan minus reconstruction)');
    row('score on the counterfactual', fmt(sc.counterfactual, 6));
    row('target score', targetScore() === null ? undefined : fmt(targetScore(), 6));
    row('λ*', fmt(se.lambda_star, 6));
    row('stop reason', se.stop_reason);
    row('search', [se.strategy, se.composition && 'composition ' + se.composition,
      se.restarts_allowed !== undefined && 'restarts allowed ' + se.restarts_allowed].filter(Boolean).join(', '));
    row('evaluations', se.evaluations !== undefined ? se.evaluations + ' in the search, ' + se.sweep_evaluations + ' in the sweep' : undefined);
    const secs = report.seconds || {};
    row('timings', Object.keys(secs).map((k) => k + ' ' + fmt(secs[k], 3) + ' s').join(', '));
    row('peak memory', report.peak_rss_mib !== undefined ? fmt(report.peak_rss_mib, 4) + ' MiB' : undefined);
    const en = report.engine || {};
    row('engine', [en.device, en.convolutions].filter(Boolean).join(', '));
    row('command line', report.command_line, true);
    row('tool', [report.tool, report.version, report.created].filter(Boolean).join(' '));
    for (const n of data.reduced) {
      const li = document.createElement('li');
      li.textContent = n;
      $('reduced').appendChild(li);
    }
  }

  function headline() {
    const sc = report.scores || {};
    const se = report.search || {};
    const tg = report.target || {};
    $('headline').textContent = (tg.score || scoreName()) + ': ' + fmt(sc.scan, 4) + ' on the scan → '
      + fmt(sc.counterfactual, 4) + ' on the counterfactual at λ* = ' + fmt(se.lambda_star, 4)
      + ' (' + (se.stop_reason || 'no stop reason') + ')';
  }

  // Start at the most changed slice and, in it, the most changed voxel.
  function initialPosition() {
    const most = (report.slices || {}).most_changed;
    if (most && most.length) setK(most[0]);
    let best = -1;
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const v = Math.abs(change(0, x, y, state.z));
        if (v > best) {
          best = v;
          state.x = x;
          state.y = y;
        }
      }
    }
  }

  function fail(e) {
    const s = $('status');
    s.className = 'status error';
    s.textContent = 'cannot show the volumes: ' + e.message
      + (typeof DecompressionStream === 'undefined' ? ' (this browser lacks DecompressionStream; use a current Chromium, Firefox or Safari)' : '');
    console.error(e);
  }

  async function start() {
    headline();
    facts();
    try {
      scan = await decode('blob-0');
      for (let f = 0; f < frames.length; f++) diffs.push(await decode('blob-' + (f + 1)));
      buildViews();
      setupControls();
      initialPosition();
      draw();
      $('status').textContent = '';
      window.ctshiftViewer = { state, draw, setFrame, frames, kOf };
      document.body.dataset.ready = 'true';
    } catch (e) {
      fail(e);
    }
  }
  start();
})();
