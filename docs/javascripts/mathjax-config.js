// MathJax 3 configuration. Typesets the Markdown pages' math (pymdownx.arithmatex
// wraps it in .arithmatex) and the worked examples' Markdown cells
// (.jp-RenderedMarkdown), nothing else: the rest of the page (code, the copy
// buttons' hidden text) keeps its dollar signs. MathJax skips pre and code itself.
//
// MathJax does not typeset on its own (startup.typeset: false): Material emits
// document$ for every page it shows, and each emission typesets once. Typesetting
// twice would clear the font cache of math already on the page and leave it blank.
const MATH_CONTAINERS = ".arithmatex, .jp-RenderedMarkdown";
let mathjaxReady;
const mathjaxLoaded = new Promise((resolve) => { mathjaxReady = resolve; });

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
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
    return MathJax.typesetPromise([...document.querySelectorAll(MATH_CONTAINERS)]);
  });
});
