// The search page (search.py): Pagefind's own JavaScript API (pagefind.js, in
// this site's pagefind/ folder), loaded only here. Every name, title and
// filter value is inserted as text (textContent), never as HTML: a person's
// name may hold markup. Only Pagefind's excerpt is inserted as HTML: Pagefind
// escapes the page's text in it and adds <mark> around the words found.
(async function () {
  const form = document.getElementById("search-form");
  if (!form) return;
  const input = document.getElementById("search-input");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const filterBox = document.getElementById("search-filters");
  const LABELS = { person: "People", event: "Events", tag: "Tags", year: "Years" };
  let pagefind;
  try {
    // import() resolves against this script's address: make it the page's.
    pagefind = await import(new URL(form.dataset.bundle + "pagefind.js", document.baseURI).href);
    await pagefind.options({ excerptLength: 24 });
    // A large blog's index comes in parts: the others are merged into it.
    for (const more of (form.dataset.merge || "").split(" ").filter(Boolean)) {
      await pagefind.mergeIndex(new URL(more, document.baseURI).href, { excerptLength: 24 });
    }
  } catch (error) {
    status.textContent = "The search index could not be loaded.";
    return;
  }

  const chosen = () => {
    const filters = {};
    for (const box of filterBox.querySelectorAll("input:checked")) {
      (filters[box.name] = filters[box.name] || { any: [] }).any.push(box.value);
    }
    return filters;
  };

  const filters = await pagefind.filters();
  for (const key of ["person", "event", "tag", "year"]) {
    const values = filters[key];
    if (!values || !Object.keys(values).length) continue;
    const set = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = LABELS[key];
    set.append(legend);
    Object.keys(values).sort((a, b) => a.localeCompare(b)).forEach((value, i) => {
      const id = `filter-${key}-${i}`;
      const box = Object.assign(document.createElement("input"),
        { type: "checkbox", name: key, value, id });
      const label = document.createElement("label");
      label.htmlFor = id;
      const name = document.createElement("bdi");
      name.textContent = value;
      label.append(name, ` (${values[value]})`);
      const item = document.createElement("span");
      item.className = "search-filter";
      item.append(box, label);
      set.append(item);
      box.addEventListener("change", run);
    });
    filterBox.append(set);
  }

  let turn = 0;
  async function run() {
    const mine = ++turn;
    const query = input.value.trim();
    const selected = chosen();
    if (!query && !Object.keys(selected).length) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const found = await pagefind.search(query || null, { filters: selected });
    const shown = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
    if (mine !== turn) return; // a newer search has started
    list.replaceChildren(...shown.map((page) => {
      const item = document.createElement("li");
      const link = Object.assign(document.createElement("a"), { href: page.url });
      link.className = "search-result";
      link.textContent = page.meta.title || page.url;
      const excerpt = document.createElement("p");
      excerpt.className = "search-excerpt";
      excerpt.innerHTML = page.excerpt;
      item.append(link, excerpt);
      return item;
    }));
    const n = found.results.length;
    status.textContent = `${n} ${n === 1 ? "story" : "stories"}` + (query ? ` for “${query}”` : "");
  }

  let timer;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) input.value = query;
  form.hidden = false; // ready: shown only once it works
  if (input.value) run();
})();
