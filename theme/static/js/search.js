// The search page: Pagefind's UI, with the query from ?q= when there is one.
(function () {
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
  });
  // Pagefind's box is labelled by its title only: give it a visible label.
  var input = root.querySelector("input[type=text], input[type=search]");
  if (input) {
    input.id = "search-input";
    var label = document.createElement("label");
    label.htmlFor = "search-input";
    label.className = "search-label";
    label.textContent = "Words to find";
    root.parentNode.insertBefore(label, root);
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
