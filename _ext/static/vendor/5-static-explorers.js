// The explorers on the static page (no kernel): backprop_lib.explorers.static_page stores every
// control that needs a kernel as disabled, and one kernel-free slider per explorer that switches
// stored frames (a jslink to a Stack). The HTML manager marks a disabled slider only with a
// `disabled` attribute on its track, and leaves its handle focusable: here a disabled control
// is also taken out of the tab order, announced as disabled, and drawn greyed (the text stays
// at 7:1 contrast; only the track, the handle and the box fade).
(function () {
  var css = [
    ".widget-slider:has(.noUi-target[disabled]) .noUi-target,",
    ".widget-slider:has(.noUi-target[disabled]) .noUi-handle { opacity: 0.35; cursor: not-allowed; }",
    ".widget-slider:has(.noUi-target[disabled]) .widget-label,",
    ".widget-slider:has(.noUi-target[disabled]) .widget-readout,",
    ".widget-dropdown:has(select:disabled) .widget-label,",
    ".widget-checkbox:has(input:disabled) label,",
    ".widget-toggle-buttons:has(button:disabled) .widget-label { color: #595959; }",
    ".jupyter-widgets button:disabled, .jupyter-widgets select:disabled,",
    ".jupyter-widgets input:disabled { cursor: not-allowed; }",
    ".bp-static-note { border-left: 4px solid #0072B2; padding-left: 0.6em; margin-bottom: 0.4em; }",
    ".bp-static-control .widget-label { font-weight: bold; }"
  ].join("\n");
  function disable(root) {
    root.querySelectorAll(".noUi-target[disabled] [role='slider']").forEach(function (handle) {
      if (handle.getAttribute("tabindex") !== "-1") handle.setAttribute("tabindex", "-1");
      if (handle.getAttribute("aria-disabled") !== "true") handle.setAttribute("aria-disabled", "true");
    });
    root.querySelectorAll(".widget-slider:has(.noUi-target[disabled]) [contenteditable='true']")
      .forEach(function (readout) { readout.setAttribute("contenteditable", "false"); });
  }
  var observer = new MutationObserver(function () { disable(document); });
  document.addEventListener("DOMContentLoaded", function () {
    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
    disable(document);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true,
                                      attributeFilter: ["disabled", "tabindex", "contenteditable"] });
  });
})();
