// Disable a form's submit buttons once it is sent, so a double click does
// not post the same step twice. The buttons are disabled after the browser
// has collected the form data, which keeps the clicked button's name and value.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
    return;
  }
  if (form.hasAttribute("hx-post")) {
    return;
  }
  window.setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit], button:not([type])")) {
      button.disabled = true;
    }
  }, 0);
});

// A page restored from the back-forward cache gets its buttons back.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form button:disabled")) {
    button.disabled = false;
  }
});
