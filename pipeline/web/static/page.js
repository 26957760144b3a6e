// Follow-up questions as soon as the answer that calls for them is given: the page holds every question of its
// page, those that do not apply yet hidden and disabled (so a form sent without this script is what the server
// showed). On each change the server says, from the form as it stands, which questions apply now; nothing is saved.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form || !form.dataset.applies || !window.fetch) return;
  var timer = null;
  var asked = 0;

  function refresh() {
    var mine = ++asked;
    var body = new FormData(form);
    body.delete("action");
    fetch(form.dataset.applies, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (paths) {
        if (!paths || mine !== asked) return; // an older answer than the last question asked
        var applies = {};
        paths.forEach(function (p) { applies[p] = true; });
        document.querySelectorAll("[data-question]").forEach(function (div) {
          var on = applies[div.getAttribute("data-question")] === true;
          if (div.hidden === !on) return;
          div.hidden = !on;
          var box = div.querySelector("fieldset.q");
          if (box) box.disabled = !on;
        });
      })
      .catch(function () { /* offline or refused: the page works as without script, after a save */ });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
  });
})();
