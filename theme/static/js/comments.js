// Comments: the story's comment widget, loaded only when wanted, and the
// "N Comments" counts of list pages. No request leaves a story page until the
// reader nears its comment section or presses "Post a comment"; a list page
// asks Isso for all its counts in one POST /count. Loaded as a module, so it
// runs once per page however many times a page includes it.

const NEAR = "300px"; // how close to the section the reader scrolls before it loads

function say(section, text) {
  const status = section.querySelector(".comments-status");
  if (status) status.textContent = text;
}

// A script cloned from a <template> never runs: make a fresh one with the
// same attributes and text, as the provider's documentation wrote it.
function revive(node, onerror) {
  if (node.nodeName !== "SCRIPT") return document.importNode(node, true);
  const script = document.createElement("script");
  for (const attr of node.attributes) script.setAttribute(attr.name, attr.value);
  script.text = node.text;
  if (script.src) script.addEventListener("error", onerror);
  return script;
}

// Move the keyboard focus to the comment box once it exists.
function focusPostbox(section) {
  const box = section.querySelector(".isso-postbox textarea, #isso-thread textarea");
  if (section.dataset.wantFocus && box) {
    delete section.dataset.wantFocus;
    box.focus();
  }
}

function loadEmbed(section) {
  if (section.dataset.loaded) return;
  section.dataset.loaded = "true";
  const template = section.querySelector("template.comments-embed");
  const waiting = section.querySelector(".comments-waiting");
  if (waiting) waiting.hidden = true;
  if (!template) return;
  const failed = () =>
    say(section, "The comment server could not be reached; please try again later.");
  if (section.dataset.commentsProvider === "isso") watchIsso(section);
  for (const node of template.content.childNodes) {
    section.append(revive(node, failed));
  }
  if (section.dataset.commentsProvider === "isso") whenIssoReady(section);
}

// Isso's widget says nothing when its server refuses a comment or cannot be
// reached: watch its requests (XMLHttpRequest) to the comment server and say
// so under the heading, with the server's reason.
function watchIsso(section) {
  const script = section.querySelector("template.comments-embed").content.querySelector("script[data-isso]");
  if (!script) return;
  const server = new URL(script.dataset.isso, location.href).href;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    const target = new URL(url, location.href).href;
    if (target.startsWith(server)) {
      this.addEventListener("loadend", () => {
        const writing = method.toUpperCase() !== "GET";
        if (this.status === 0) {
          say(section, "The comment server could not be reached; please try again later.");
        } else if (this.status >= 400 && writing) {
          const reason = (this.responseText || "").replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
          say(section, `The comment server refused this (${this.status}${reason ? ": " + reason.slice(0, 200) : ""}). Your comment was not posted.`);
        } else if (this.status < 400 && writing) {
          say(section, "");
        }
      });
    }
    return open.call(this, method, url, ...rest);
  };
}

// Isso renders into #isso-thread: give its icon-only links a name, hide its
// decorative avatars from screen readers, and count the story's comments.
function whenIssoReady(section) {
  const thread = section.querySelector("#isso-thread");
  if (!thread) return;
  const tidy = () => {
    for (const link of thread.querySelectorAll("a.isso-upvote:not([aria-label])")) {
      link.setAttribute("aria-label", "Upvote");
    }
    for (const link of thread.querySelectorAll("a.isso-downvote:not([aria-label])")) {
      link.setAttribute("aria-label", "Downvote");
    }
    for (const svg of thread.querySelectorAll("svg:not([aria-hidden])")) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    }
    // Isso's count heading is an h4 right under our h2: make it the level it is.
    for (const heading of thread.querySelectorAll("h4.isso-thread-heading:not([aria-level])")) {
      heading.setAttribute("role", "heading");
      heading.setAttribute("aria-level", "3");
    }
    for (const area of thread.querySelectorAll("textarea:not([aria-label])")) {
      area.setAttribute("aria-label", "Your comment");
    }
    focusPostbox(section);
    if (thread.querySelector(".isso-postbox")) section.classList.add("comments-ready");
  };
  new MutationObserver(tidy).observe(thread, { childList: true, subtree: true });
  tidy();
  countComments(document);
}

function setupSection(section) {
  const button = section.querySelector(".comments-load");
  const waiting = section.querySelector(".comments-waiting");
  if (button) {
    button.hidden = false;
    // The button stays: before the widget loads it loads it, after it
    // takes the reader to the comment box.
    button.addEventListener("click", () => {
      section.dataset.wantFocus = "true";
      loadEmbed(section);
      focusPostbox(section);
    });
  }
  if (waiting) waiting.hidden = false;
  const wanted = /^#(comments|isso-\d+|isso-thread|disqus_thread|remark42)$/.test(location.hash);
  if (wanted || !("IntersectionObserver" in window)) {
    loadEmbed(section);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        loadEmbed(section);
      }
    },
    { rootMargin: `0px 0px ${NEAR} 0px` },
  );
  observer.observe(section);
  window.addEventListener("hashchange", () => {
    if (/^#(comments|isso-)/.test(location.hash)) loadEmbed(section);
  });
}

function plural(n) {
  return n === 1 ? "1 Comment" : `${n} Comments`;
}

// One POST /count per comment server for every thread id on the page.
async function countComments(root) {
  const links = [...root.querySelectorAll("a.comment-count[data-isso-id][data-comments-server]")];
  const byServer = new Map();
  for (const link of links) {
    const server = link.dataset.commentsServer;
    if (!byServer.has(server)) byServer.set(server, []);
    byServer.get(server).push(link);
  }
  for (const [server, group] of byServer) {
    const ids = [...new Set(group.map((link) => link.dataset.issoId))];
    try {
      const response = await fetch(new URL("count", server), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(ids),
      });
      if (!response.ok) continue;
      const counts = await response.json();
      for (const link of group) {
        const n = counts[ids.indexOf(link.dataset.issoId)];
        const text = link.querySelector(".comment-count-text") || link;
        if (Number.isInteger(n)) text.textContent = plural(n);
      }
    } catch (error) {
      // The link still leads to the story's comments; it just has no number.
    }
  }
}

const section = document.getElementById("comments");
if (section && section.querySelector("template.comments-embed")) {
  // A story page: its own count waits until the widget loads (whenIssoReady).
  setupSection(section);
} else {
  countComments(document);
}
