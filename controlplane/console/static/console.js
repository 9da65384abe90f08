// berth console: keeps a followed log at its newest line (unless the reader scrolled up) and
// bounds how many lines a page keeps. Everything else is htmx.
(function () {
  var MAX_LINES = 5000;
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var box = e.target.closest && e.target.closest(".logs");
    if (box) box.dataset.atBottom = String(box.scrollHeight - box.scrollTop - box.clientHeight < 24);
  });
  document.addEventListener("htmx:sseMessage", function (e) {
    var box = e.target.closest && e.target.closest(".logs");
    if (!box) return;
    var lines = box.querySelector("#loglines");
    while (lines && lines.childElementCount > MAX_LINES) lines.removeChild(lines.firstElementChild);
    if (box.dataset.atBottom !== "false") box.scrollTop = box.scrollHeight;
  });
})();
