// Copy buttons of the calendar subscribe blocks (templates/calendars/_subscribe.html): one listener per page.
// A file of its own because the Content-Security-Policy allows no inline script.
if (!window.feedCopyReady) {
  window.feedCopyReady = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var id = button.getAttribute("data-copy-target");
    var input = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    var done = function () { status.textContent = button.getAttribute("data-copied-text"); };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
}
