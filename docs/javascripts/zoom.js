// Click (or Enter on) a worked example's plot to zoom it: on a wide screen the
// plot fills the window, on a narrow one it opens at its natural size and
// scrolls. A click anywhere or Escape closes it. No library, no request.
(() => {
  const PLOTS = ".jupyter-wrapper .jp-OutputArea-output img";

  function close() {
    const open = document.querySelector(".dlnotes-zoom");
    if (open) open.remove();
    return Boolean(open);
  }

  function zoom(img) {
    const overlay = document.createElement("div");
    overlay.className = "dlnotes-zoom";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", img.alt || "zoomed plot");
    const big = document.createElement("img");
    big.src = img.src;
    big.alt = img.alt;
    if (img.naturalWidth > window.innerWidth) big.classList.add("dlnotes-zoom--natural");
    overlay.append(big);
    document.body.append(overlay);
  }

  document.addEventListener("click", (event) => {
    if (close()) return;
    const img = event.target.closest(PLOTS);
    if (img) zoom(img);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    const img = event.target.closest && event.target.closest(PLOTS);
    if (img && event.key === "Enter") zoom(img);
  });

  // Plots can take the keyboard focus and say what a click does.
  const mark = () =>
    document.querySelectorAll(PLOTS).forEach((img) => {
      img.tabIndex = 0;
      img.title = "Click to zoom";
    });
  if (typeof document$ !== "undefined") document$.subscribe(mark);
  else document.addEventListener("DOMContentLoaded", mark);
})();
