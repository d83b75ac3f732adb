// The live preview's page script: `make serve` adds it to every HTML page it
// serves (never to the files in output/). It listens to the preview server's
// events and, after each rebuild, reloads the page (a newer build succeeded
// and changed this page's file: the digest it was served with, asked again),
// shows what stopped the build (the page below stays the last good one), and
// marks a page a "did you mean ...?" warning is about.
(() => {
  const me = document.currentScript;
  let checked = Number(me.dataset.build);
  const served = me.dataset.digest;
  const instance = me.dataset.instance;
  const changed = async () => {
    try {
      const answer = await fetch("/__preview/digest?path=" + encodeURIComponent(location.pathname),
        { cache: "no-store" });
      return (await answer.text()) !== served;
    } catch {
      return true;
    }
  };
  const box = (id, css) => {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.setAttribute("role", "alert");
      el.style.cssText =
        "position:fixed;left:1rem;right:1rem;z-index:2147483647;padding:1rem;" +
        "font:15px/1.4 system-ui,sans-serif;border-radius:6px;box-shadow:0 2px 12px #0006;" + css;
      document.body.append(el);
    }
    return el;
  };
  const fill = (el, title, lines, note) => {
    el.replaceChildren();
    const h = document.createElement("strong");
    h.textContent = title;
    el.append(h);
    for (const line of lines) {
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:.5rem 0;font:13px/1.4 monospace";
      pre.textContent = line;
      el.append(pre);
    }
    if (note) {
      const p = document.createElement("p");
      p.style.margin = "0";
      p.textContent = note;
      el.append(p);
    }
  };
  const drop = (id) => document.getElementById(id)?.remove();
  const show = async (state) => {
    if (state.instance !== instance) {
      location.reload();
      return;
    }
    if (!state.errors.length && state.build > checked) {
      checked = state.build;
      if (await changed()) {
        location.reload();
        return;
      }
    }
    if (state.errors.length) {
      fill(box("preview-overlay", "bottom:1rem;background:#fff0f0;color:#600;border:2px solid #c00"),
        "The site did not rebuild:", state.errors,
        "This page is the last good build. Fix the file and save: the page updates by itself.");
    } else drop("preview-overlay");
    const warned = state.banners[location.pathname];
    if (warned && warned.length) {
      fill(box("preview-banner", "top:1rem;background:#fff8d6;color:#3d3000;border:2px solid #b08800"),
        "Preview only (not on the published site):", warned, "");
    } else drop("preview-banner");
  };
  const events = new EventSource("/__preview/events");
  events.onmessage = (event) => show(JSON.parse(event.data));
})();
