// w2v explorer: neighbours, analogies and a zoomable map of the word vectors embedded in this page.
// Everything runs here, offline: the data is the JSON block above (unit vectors as little-endian float32 in
// base64, the map's coordinates likewise), written by `w2v explore` (w2v/explore.py). Cosines are dot products
// of unit vectors, and analogies are 3CosAdd, as KeyedVectors.most_similar computes them.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("w2v-data").textContent);

  function float32s(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  const words = data.words, N = words.length, D = data.dims;
  const vectors = float32s(data.vectors);   // (N, D) unit rows
  const xy = float32s(data.xy);             // (N, 2) in [0, 1]
  const index = new Map(words.map((w, i) => [w, i]));
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------------------------------ the maths
  function unit(v) {
    let n = 0;
    for (let k = 0; k < v.length; k++) n += v[k] * v[k];
    n = Math.sqrt(n) || 1;
    for (let k = 0; k < v.length; k++) v[k] /= n;
    return v;
  }

  /** The k words whose unit vectors have the largest dot product with q, skipping `exclude`: [[i, cos]]. */
  function nearest(q, exclude, k) {
    const best = [];  // sorted, best first
    for (let i = 0; i < N; i++) {
      if (exclude.has(i)) continue;
      let s = 0;
      const o = i * D;
      for (let j = 0; j < D; j++) s += vectors[o + j] * q[j];
      if (best.length < k || s > best[best.length - 1][1]) {
        let at = best.length;
        while (at > 0 && best[at - 1][1] < s) at--;
        best.splice(at, 0, [i, s]);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }

  function row(i) { return vectors.subarray(i * D, (i + 1) * D); }

  function neighbours(word, k = 10) {
    const i = index.get(word);
    if (i === undefined) return null;
    return nearest(unit(Float64Array.from(row(i))), new Set([i]), k);
  }

  /** "a - b + c" (or "+a -b +c"): positive and negative words, as the w2v analogy command reads them. */
  function parseAnalogy(text) {
    const tokens = text.replace(/\+/g, " + ").replace(/(^|\s)-(?=\S)/g, "$1- ").trim().split(/\s+/).filter(Boolean);
    const pos = [], neg = [];
    let sign = "+";
    for (const t of tokens) {
      if (t === "+" || t === "-") { sign = t; continue; }
      (sign === "+" ? pos : neg).push(t);
      sign = "+";
    }
    return { pos, neg };
  }

  function analogy(text, k = 10) {
    const { pos, neg } = parseAnalogy(text);
    const missing = pos.concat(neg).filter((w) => !index.has(w));
    if (missing.length || !pos.length) return { missing, empty: !pos.length };
    const q = new Float64Array(D);
    for (const w of pos) { const r = row(index.get(w)); for (let j = 0; j < D; j++) q[j] += r[j]; }
    for (const w of neg) { const r = row(index.get(w)); for (let j = 0; j < D; j++) q[j] -= r[j]; }
    const exclude = new Set(pos.concat(neg).map((w) => index.get(w)));
    return { pos, neg, result: nearest(unit(q), exclude, k) };
  }

  function editDistance(a, b, cap) {
    if (Math.abs(a.length - b.length) > cap) return cap + 1;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      let low = i;
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        low = Math.min(low, cur[j]);
      }
      if (low > cap) return cap + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  /** Up to 3 words of the page spelled like `word` (case first, then edit distance <= 2, frequent first). */
  function closeSpellings(word) {
    const lower = word.toLowerCase(), out = [];
    for (let i = 0; i < N && out.length < 3; i++) if (words[i] !== word && words[i].toLowerCase() === lower) out.push(words[i]);
    for (const cap of [1, 2]) {
      for (let i = 0; i < N && out.length < 3; i++) {
        if (!out.includes(words[i]) && editDistance(word, words[i], cap) <= cap) out.push(words[i]);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ the panel
  const fmt = (x) => x.toFixed(4);
  let selected = -1, highlighted = new Set();

  function notInPage(missing) {
    return missing.map((w) => {
      const close = closeSpellings(w);
      return `"${w}" is not among the ${N.toLocaleString("en")} words in this page` +
        (close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(", ")}?)` : "");
    }).join("; ");
  }

  function show(title, result, message) {
    $("message").textContent = message || "";
    $("results-title").textContent = result ? title : "";
    const list = $("results");
    list.textContent = "";
    highlighted = new Set((result || []).map(([i]) => i));
    for (const [i, s] of result || []) {
      const li = document.createElement("li");
      li.dataset.word = words[i];
      li.dataset.cos = String(s);
      li.innerHTML = `<span class="w"></span><span class="c">${fmt(s)}</span>`;
      li.querySelector(".w").textContent = words[i];
      li.addEventListener("click", () => { $("search").value = words[i]; searchWord(words[i], true); });
      list.appendChild(li);
    }
    draw();
  }

  function timed(fn) {
    const t0 = performance.now();
    const out = fn();
    api.lastQueryMs = performance.now() - t0;
    $("timing").textContent = `computed in ${api.lastQueryMs.toFixed(1)} ms over ${N.toLocaleString("en")} words`;
    return out;
  }

  function searchWord(word, centre) {
    word = word.trim();
    if (!word) return;
    const result = timed(() => neighbours(word, 10));
    if (!result) { selected = -1; show("", null, notInPage([word])); return; }
    selected = index.get(word);
    show(`Nearest to ${word}`, result);
    if (centre) centreOn(selected);
  }

  function searchAnalogy(text) {
    const out = timed(() => analogy(text, 10));
    if (out.empty) { show("", null, 'write an analogy as "king - man + woman"'); return; }
    if (!out.result) { show("", null, notInPage(out.missing)); return; }
    selected = -1;
    show(out.pos.join(" + ") + out.neg.map((w) => " - " + w).join(""), out.result);
  }

  // completion: words starting with the typed text, most frequent first
  let active = -1;
  function suggest() {
    const text = $("search").value.trim(), list = $("suggestions");
    list.textContent = "";
    active = -1;
    if (!text) return;
    for (let i = 0, n = 0; i < N && n < 8; i++) {
      if (words[i].startsWith(text) && words[i] !== text) {
        const li = document.createElement("li");
        li.textContent = words[i];
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(li.textContent); });
        list.appendChild(li);
        n++;
      }
    }
  }
  function pick(word) { $("search").value = word; $("suggestions").textContent = ""; searchWord(word, true); }
  $("search").addEventListener("input", suggest);
  $("search").addEventListener("blur", () => { $("suggestions").textContent = ""; });
  $("search").addEventListener("keydown", (e) => {
    const items = $("suggestions").children;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!items.length) return;
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      for (let j = 0; j < items.length; j++) items[j].classList.toggle("active", j === active);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && items[active]) pick(items[active].textContent);
      else { $("suggestions").textContent = ""; searchWord($("search").value, true); }
    } else if (e.key === "Escape") {
      $("suggestions").textContent = "";
    }
  });
  $("analogy").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); searchAnalogy(e.target.value); } });

  // ------------------------------------------------------------------------------------------ the map
  const canvas = $("map"), ctx = canvas.getContext("2d"), tip = $("tip");
  let W = 0, H = 0, scale = 1, ox = 0, oy = 0, ratio = 1;

  // a grid over the map's [0, 1] square, to find the point under the cursor without scanning every word
  const G = 64, cells = Array.from({ length: G * G }, () => []);
  for (let i = 0; i < N; i++) {
    const gx = Math.min(G - 1, Math.floor(xy[2 * i] * G)), gy = Math.min(G - 1, Math.floor(xy[2 * i + 1] * G));
    cells[gy * G + gx].push(i);
  }

  const sx = (i) => ox + xy[2 * i] * scale;
  const sy = (i) => oy + xy[2 * i + 1] * scale;

  function resize() {
    ratio = window.devicePixelRatio || 1;
    const r = canvas.getBoundingClientRect();
    const fit = !W;
    W = r.width; H = r.height;
    canvas.width = Math.round(W * ratio); canvas.height = Math.round(H * ratio);
    if (fit) { scale = 0.92 * Math.min(W, H); ox = (W - scale) / 2; oy = (H - scale) / 2; }
    draw();
  }

  function centreOn(i) {
    scale = Math.max(scale, 4 * Math.min(W, H));
    ox = W / 2 - xy[2 * i] * scale; oy = H / 2 - xy[2 * i + 1] * scale;
    draw();
  }

  function draw() {
    if (!W) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#4a6fa5";
    const r = Math.max(1.2, Math.min(3, 1.2 * Math.sqrt(scale / Math.min(W, H))));
    for (let i = 0; i < N; i++) {
      const x = sx(i), y = sy(i);
      if (x < -5 || y < -5 || x > W + 5 || y > H + 5) continue;
      ctx.fillRect(x - r / 2, y - r / 2, r, r);
    }
    // labels: chosen words first, then by frequency; a label is drawn only where it overlaps no other
    ctx.font = "12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const placed = [], C = 48, taken = new Map();
    const order = [];
    if (selected >= 0) order.push(selected);
    for (const i of highlighted) if (i !== selected) order.push(i);
    const limit = Math.min(N, 4000);
    for (let i = 0; i < limit; i++) if (i !== selected && !highlighted.has(i)) order.push(i);
    for (const i of order) {
      const x = sx(i), y = sy(i);
      if (x < 0 || y < 0 || x > W || y > H) continue;
      const w = ctx.measureText(words[i]).width + 4, box = [x + 4, y - 7, x + 4 + w, y + 7];
      let clash = false;
      for (let gx = Math.floor(box[0] / C); gx <= Math.floor(box[2] / C) && !clash; gx++) {
        for (let gy = Math.floor(box[1] / C); gy <= Math.floor(box[3] / C) && !clash; gy++) {
          for (const b of taken.get(gx + "," + gy) || []) {
            if (b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3]) { clash = true; break; }
          }
        }
      }
      if (clash) continue;
      for (let gx = Math.floor(box[0] / C); gx <= Math.floor(box[2] / C); gx++) {
        for (let gy = Math.floor(box[1] / C); gy <= Math.floor(box[3] / C); gy++) {
          const key = gx + "," + gy;
          if (!taken.has(key)) taken.set(key, []);
          taken.get(key).push(box);
        }
      }
      placed.push(i);
      const hot = i === selected || highlighted.has(i);
      if (hot) { ctx.fillStyle = i === selected ? "#b3261e" : "#d9480f"; ctx.fillRect(x - 3, y - 3, 6, 6); }
      ctx.fillStyle = hot ? "#1d2330" : "#3c4454cc";
      ctx.font = hot ? "bold 12px system-ui, sans-serif" : "12px system-ui, sans-serif";
      ctx.fillText(words[i], x + 6, y);
    }
    api.labelled = placed.length;
  }

  function pointAt(px, py) {
    const radius = 6;
    const x0 = (px - ox) / scale, y0 = (py - oy) / scale, rr = radius / scale;
    let best = -1, bestD = radius * radius;
    for (let gx = Math.max(0, Math.floor((x0 - rr) * G)); gx <= Math.min(G - 1, Math.floor((x0 + rr) * G)); gx++) {
      for (let gy = Math.max(0, Math.floor((y0 - rr) * G)); gy <= Math.min(G - 1, Math.floor((y0 + rr) * G)); gy++) {
        for (const i of cells[gy * G + gx]) {
          const dx = sx(i) - px, dy = sy(i) - py, d = dx * dx + dy * dy;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  let drag = null;
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const f = Math.exp(-e.deltaY * 0.0015), r = canvas.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    ox = px - (px - ox) * f; oy = py - (py - oy) * f; scale *= f;
    draw();
  }, { passive: false });
  canvas.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, ox, oy, moved: false }; canvas.classList.add("dragging"); });
  window.addEventListener("mouseup", (e) => {
    canvas.classList.remove("dragging");
    if (drag && !drag.moved) {
      const r = canvas.getBoundingClientRect(), i = pointAt(e.clientX - r.left, e.clientY - r.top);
      if (i >= 0) { $("search").value = words[i]; searchWord(words[i], false); }
    }
    drag = null;
  });
  window.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top;
    if (drag) {
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) drag.moved = true;
      ox = drag.ox + e.clientX - drag.x; oy = drag.oy + e.clientY - drag.y;
      draw();
      return;
    }
    const i = px >= 0 && py >= 0 && px <= W && py <= H ? pointAt(px, py) : -1;
    if (i < 0) { tip.style.display = "none"; return; }
    tip.textContent = words[i];
    tip.style.display = "block";
    tip.style.left = sx(i) + 10 + "px"; tip.style.top = sy(i) - 28 + "px";
  });
  window.addEventListener("resize", resize);

  // ------------------------------------------------------------------------------------------ start
  $("info").textContent = `${data.model}: ${N.toLocaleString("en")} of ${data.total_words.toLocaleString("en")} words ` +
    `(the most frequent), ${D} dimensions; map by ${data.method === "tsne" ? "t-SNE" : "PCA"}.`;
  const api = {
    ready: false, readyMs: 0, lastQueryMs: 0, labelled: 0, words: N,
    neighbours: (w, k) => (neighbours(w, k) || []).map(([i, s]) => [words[i], s]),
    analogy: (t, k) => { const o = analogy(t, k); return o.result ? o.result.map(([i, s]) => [words[i], s]) : null; },
    screenPosition: (w) => { const i = index.get(w); return i === undefined ? null : [sx(i), sy(i)]; },
  };
  window.__explorer = api;
  resize();
  api.readyMs = performance.now();  // since the page began to load
  api.ready = true;
})();
