// Accessible names for widgets rendered by the ipywidgets HTML manager on the static page:
// - its slider handles (role="slider") carry a value but no name, so a screen reader announces
//   "slider 2.0" without saying which: name each handle after the label shown beside it;
// - an explorer's figure is an Image widget, which has no alt text: point the reader to the text
//   the chapter prints right after every explorer (the same numbers, for one fixed setting).
(function () {
  function nameControls(root) {
    root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])').forEach(function (handle) {
      var box = handle.closest(".widget-slider, .jupyter-widgets");
      var label = box && box.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
    root.querySelectorAll(".jupyter-widgets img:not([alt])").forEach(function (img) {
      img.setAttribute("alt", "Explorer figure for one fixed setting; the same numbers are printed " +
                              "below it. Run the chapter's notebook to move the controls.");
    });
  }
  var observer = new MutationObserver(function () { nameControls(document); });
  document.addEventListener("DOMContentLoaded", function () {
    nameControls(document);
    observer.observe(document.body, { childList: true, subtree: true });
  });
})();
