// Signature pad for the release-of-information form. Draws with a finger, pen or mouse on
// the canvas and, when a stroke ends, puts the drawing into the hidden input as a PNG data
// URL. Without JavaScript the canvas stays unused and a scan can be uploaded instead.
(function () {
  "use strict";

  function setUp(container) {
    var canvas = container.querySelector("canvas");
    var input = container.querySelector("input[type=hidden]");
    var clear = container.querySelector("[data-signature-clear]");
    if (!canvas || !input || !canvas.getContext) {
      return;
    }
    var context = canvas.getContext("2d");
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    var drawing = false;

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var at = point(event);
      context.beginPath();
      context.moveTo(at.x, at.y);
      // A tap leaves a dot.
      context.lineTo(at.x + 0.1, at.y + 0.1);
      context.stroke();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      event.preventDefault();
      var at = point(event);
      context.lineTo(at.x, at.y);
      context.stroke();
    });
    function finish(event) {
      if (!drawing) {
        return;
      }
      drawing = false;
      if (canvas.hasPointerCapture(event.pointerId)) {
        canvas.releasePointerCapture(event.pointerId);
      }
      input.value = canvas.toDataURL("image/png");
      if (clear) {
        clear.hidden = false;
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        input.value = "";
        clear.hidden = true;
      });
    }
    container.classList.add("signature-ready");
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
