// MathJax 3 configuration. Typesets the Markdown pages' math (pymdownx.arithmatex
// wraps it in .arithmatex) and the worked examples' Markdown cells
// (.jp-RenderedMarkdown), nothing else, so code blocks keep their dollar signs.
window.MathJax = {
  loader: { paths: { mathjax: new URL("../assets/mathjax", document.currentScript.src).href } },
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
};

// Material loads pages without a full reload ("document$" fires on each); typeset
// every time, after clearing what MathJax remembers of the previous page.
document$.subscribe(() => {
  if (!window.MathJax.startup || !window.MathJax.typesetPromise) return;
  MathJax.startup.promise.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
