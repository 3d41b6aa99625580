// Glue between the book's page and the ipywidgets HTML manager, so widget views work offline.
(function () {
  // 1. Resolve the manager's AMD modules and assets (its icon fonts) against this folder, the
  //    book's own _static/vendor/, instead of the page's folder.
  var here = document.currentScript.src.replace(/[^\/]*$/, "");
  require.config({ baseUrl: here });

  // 2. The manager typesets widget labels with the MathJax 2 call MathJax.Hub.Queue; the book
  //    loads MathJax 3, which has no Hub (a script error on every widget label). Answer that call
  //    with MathJax 3's typesetPromise, once MathJax has started.
  function typesetLater(job) {
    var element = job && job[2];
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(function () {
        return window.MathJax.typesetPromise(element ? [element] : undefined);
      });
    }
  }
  function addHub() {
    if (window.MathJax && !window.MathJax.Hub) window.MathJax.Hub = { Queue: typesetLater };
  }
  addHub();
  document.addEventListener("DOMContentLoaded", addHub);
  window.addEventListener("load", addHub);
})();
