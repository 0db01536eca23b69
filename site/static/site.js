// The reading site's own script, on every page after the theme's (site/conf.py lists it).
"use strict";

// A side-by-side page needs the whole width on a wide screen: its navigation starts folded away. The header's
// "Toggle primary sidebar" button brings it back (sphinx-book-theme toggles this same class at 992 px and up).
document.addEventListener("DOMContentLoaded", () => {
  const sidebar = document.getElementById("pst-primary-sidebar");
  if (sidebar && document.querySelector(".sbs-step") && window.matchMedia("(min-width: 992px)").matches) {
    sidebar.classList.add("pst-sidebar-hidden");
  }
});

// Search results: Sphinx's search takes a result's snippet from the page's [role="main"] element, which in this
// theme also holds the header's buttons and the contents list, so every snippet began "Settings Light Dark ...".
// Read the article alone (the page's lesson text) wherever a page has one.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") {
    return;  // not the search page
  }
  const fromMain = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const article = page.querySelector("article.bd-article");
    const main = page.querySelector('[role="main"]');
    if (!article || !main) {
      return fromMain(htmlString, anchor);
    }
    main.removeAttribute("role");
    article.setAttribute("role", "main");
    return fromMain(page.documentElement.outerHTML, anchor);
  };
});
