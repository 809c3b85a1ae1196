// The model editor: line numbers beside the textarea, and issues that jump to their line.
(function () {
  "use strict";
  var text = document.getElementById("model-text");
  var gutter = document.querySelector(".editor .gutter");
  if (!text || !gutter) return;

  function numbers() {
    var n = text.value.split("\n").length, out = [];
    for (var i = 1; i <= n; i++) out.push(i);
    gutter.textContent = out.join("\n");
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener("input", numbers);
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
  numbers();

  function goTo(line) {
    var lines = text.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    var lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 18;
    text.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".goto-line");
    if (!link) return;
    event.preventDefault();
    goTo(parseInt(link.closest("[data-line]").dataset.line, 10));
  });
})();
