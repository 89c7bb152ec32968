// The progress bar of a CSV import job (templates/admin/import_job.html). Polls the job's JSON status and
// reloads the page when the job has finished, so the result is rendered by the server. Without script
// the page's Refresh link does the same. Kept out of the page: the Content-Security-Policy allows no
// inline script.
document.addEventListener("DOMContentLoaded", function () {
  var section = document.getElementById("import-progress");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("import-bar");
  var label = document.getElementById("import-percent");
  var template = label.textContent.replace(/\d+/, "{n}");
  var delay = 500;
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.finished) { window.location.reload(); return; }
        if (status) {
          bar.value = status.percent;
          label.textContent = template.replace("{n}", String(status.percent));
        }
        delay = Math.min(delay * 1.5, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, delay);
});
