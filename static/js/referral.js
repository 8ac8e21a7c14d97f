// The officer's referral form: fill the hidden position fields from the phone on request.
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector("[data-locate]");
    if (!button || !navigator.geolocation) {
      if (button) { button.hidden = true; }
      return;
    }
    var status = document.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      status.textContent = "Finding your position…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
          document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
          status.textContent = "Position added.";
        },
        function () {
          status.textContent = "The position is not available; the place text is enough.";
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
