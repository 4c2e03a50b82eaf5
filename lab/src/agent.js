(() => {
  // The live-mode agent (lab/src/agent.rs): this document says it is shown,
  // and makes the scenario's next request from here when its opener asks.
  const opener = window.opener;
  if (!opener || window.parent !== window) return;
  const loopback = (h) =>
    h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]';
  const post = (m, origin) => {
    try { opener.postMessage(Object.assign({ crumbtrail: 'lab-agent' }, m), origin); } catch (e) {}
  };
  const lines = (text) => (text || '').split('\n').flatMap((l) => {
    const i = l.indexOf(':');
    return i > 0 ? [[l.slice(0, i).trim(), l.slice(i + 1).trim()]] : [];
  });
  // The same bodies as the live-mode page (src/live/mod.rs, body_value).
  const body = (kind) => {
    if (kind === 'json') return '{"user":"ada","password":"secret"}';
    if (kind === 'text' || kind === 'stream') return 'hello';
    if (kind === 'url-encoded') return new URLSearchParams('user=ada');
    if (kind === 'form-data') { const f = new FormData(); f.append('user', 'ada'); return f; }
    return null;
  };
  const ENCTYPES = {
    'url-encoded': 'application/x-www-form-urlencoded',
    multipart: 'multipart/form-data',
    'text-plain': 'text/plain',
  };
  function navigate(q, url, fields) {
    if (q.client.form === 'link') {
      const a = document.createElement('a');
      a.href = url;
      document.body.appendChild(a);
      a.click();
      return;
    }
    const f = document.createElement('form');
    f.method = q.client.form === 'form-get' ? 'get' : 'post';
    f.enctype = ENCTYPES[q.enctype] || ENCTYPES['url-encoded'];
    f.action = url;
    for (const [n, v] of fields) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = n; i.value = v;
      f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }
  async function fetchFrom(q, url, o) {
    const headers = new Headers();
    for (const [k, v] of lines(q.headers)) { try { headers.append(k, v); } catch (e) {} }
    const init = { method: q.method, mode: q.client.mode, credentials: q.client.credentials,
                   redirect: q.client.redirect, headers };
    const b = body(q.body);
    if (b !== null) init.body = b;
    try {
      const r = await fetch(url, init);
      o.resolved = true; o.opaque = r.type === 'opaque'; o.status = r.status;
      o.readable_headers = [...r.headers.keys()];
    } catch (e) { o.error = String(e); }
  }
  function xhrFrom(q, url, o, axios) {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(q.method, url);
      x.withCredentials = q.client.with_credentials;
      let typed = false;
      for (const [k, v] of lines(q.headers)) {
        typed = typed || k.toLowerCase() === 'content-type';
        try { x.setRequestHeader(k, v); } catch (e) {}
      }
      // axios' own Accept (the engine's AXIOS_ACCEPT) and JSON Content-Type.
      if (axios && !lines(q.headers).some(([k]) => k.toLowerCase() === 'accept')) {
        x.setRequestHeader('Accept', 'application/json, text/plain, */*');
      }
      if (axios && q.body === 'json' && !typed) x.setRequestHeader('Content-Type', 'application/json');
      x.onload = () => {
        o.resolved = true; o.status = x.status;
        o.readable_headers = x.getAllResponseHeaders().trim().split(/\r?\n/).filter((l) => l)
          .map((l) => l.split(':')[0].trim().toLowerCase());
        resolve();
      };
      x.onerror = () => { o.error = 'XMLHttpRequest error event (status 0)'; resolve(); };
      x.send(body(q.body));
    });
  }
  function frame(url) {
    return new Promise((resolve) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      const end = (ok) => { f.remove(); resolve(ok); };
      f.onload = () => end(true);
      setTimeout(() => end(false), 10000);
      f.src = url;
      document.body.appendChild(f);
    });
  }
  async function run(m) {
    const q = m.spec;
    const kind = q.client.kind;
    const url = new URL(m.url, location.href);
    if (!loopback(url.hostname)) throw new Error('the lab agent only makes requests to loopback hosts');
    const o = { resolved: false, opaque: false, status: 0, readable_headers: [], error: null,
                navigated: false, page_url: location.href };
    if (kind === 'fetch') await fetchFrom(q, url.href, o);
    else if (kind === 'xhr' || kind === 'axios') await xhrFrom(q, url.href, o, kind === 'axios');
    else if (kind === 'iframe') {
      o.navigated = await frame(url.href);
      if (!o.navigated) o.error = 'the iframe did not load';
    } else if (kind === 'navigation') {
      // After the answer: the page then waits for the next document's `ready`.
      setTimeout(() => navigate(q, url.href, m.fields || []), 0);
    } else throw new Error('the lab agent does not run ' + kind);
    // As the app's live mode: one timer task before reading document.cookie,
    // which WebKit's GLib ports may still serve from before the response
    // (WebKit bug 324464). Not after a navigation, whose document is leaving.
    if (kind !== 'navigation') await new Promise((r) => setTimeout(r, 0));
    o.document_cookie = document.cookie;
    return o;
  }
  addEventListener('message', (e) => {
    const m = e.data;
    if (e.source !== opener || !m || m.crumbtrail !== 'lab-page' || m.op !== 'run') return;
    let fromLoopback = false;
    try { fromLoopback = loopback(new URL(e.origin).hostname); } catch (err) {}
    if (!fromLoopback) return;
    run(m).then(
      (obs) => post({ op: 'done', id: m.id, obs }, e.origin),
      (err) => post({ op: 'done', id: m.id, obs: null, error: String(err) }, e.origin));
  });
  post({ op: 'ready', href: location.href }, '*');
})();
