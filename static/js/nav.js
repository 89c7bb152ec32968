// The main navigation on a phone: folded behind a "Menu" button so it takes one row, not four.
// Without JavaScript (or on a wide screen) every link shows, as before.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var links = document.getElementById("nav-links");
  if (!toggle || !links) { return; }
  var phone = window.matchMedia("(max-width: 767px)");
  function fold(folded) {
    links.classList.toggle("folded", folded);
    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
  }
  function follow() {
    toggle.parentElement.hidden = !phone.matches;
    fold(phone.matches);
  }
  toggle.addEventListener("click", function () { fold(!links.classList.contains("folded")); });
  phone.addEventListener("change", follow);
  follow();
});
