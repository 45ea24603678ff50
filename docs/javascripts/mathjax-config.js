// MathJax 3 configuration. Typesets the Markdown pages' math (pymdownx.arithmatex
// wraps it in .arithmatex) and the worked examples' Markdown cells
// (.jp-RenderedMarkdown), nothing else, so code blocks keep their dollar signs.
//
// MathJax does not typeset on its own (startup.typeset: false): Material emits
// document$ for every page it shows, and each emission typesets once. Typesetting
// twice would clear the font cache of math already on the page and leave it blank.
let mathjaxReady;
const mathjaxLoaded = new Promise((resolve) => { mathjaxReady = resolve; });

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
  },
  startup: {
    typeset: false,
    ready() {
      MathJax.startup.defaultReady();
      mathjaxReady();
    },
  },
};

// Resolves when the math of the current page is typeset (the browser test waits on it).
window.dlnotesMathTypeset = mathjaxLoaded;

document$.subscribe(() => {
  window.dlnotesMathTypeset = mathjaxLoaded.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
