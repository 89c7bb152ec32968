// The copy button of a new calendar subscription link. Kept out of the page: the Content-Security-Policy
// allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
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
  });
});
