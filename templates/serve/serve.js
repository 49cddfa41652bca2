// drscan serve: the only script (served from /static, allowed by the CSP). Selects marked
// .autosubmit submit their form on change, and a changed filter starts again at page 1.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.requestSubmit(); }
    });
  });
});
