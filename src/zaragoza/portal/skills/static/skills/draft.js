// The interview keeps working on a weak connection. While answers are typed, the whole
// form is kept in this tab's sessionStorage (gone when the tab closes: a shared computer
// keeps no one's answers). Submitted while offline, the form waits and is sent once the
// connection is back. The server replaces the profile with the whole form, so a form
// sent twice cannot duplicate an answer; the draft is dropped once the server says it
// saved it (the page after saving carries data-saved="yes").
(function () {
  "use strict";
  var form = document.getElementById("interview");
  if (!form || !window.sessionStorage) return;
  var key = "zaragoza-skills-draft:" + location.pathname;
  var notice = document.getElementById("draft-notice");
  var sending = false;

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      out[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return out;
  }
  function restore(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values)) return;
      if (el.type === "checkbox") el.checked = !!values[el.name];
      else el.value = values[el.name];
    });
  }
  function keep(state) {
    sessionStorage.setItem(key, JSON.stringify({ fields: fields(), state: state }));
  }
  function read() {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function show(which) {
    if (!notice) return;
    notice.textContent = notice.getAttribute("data-" + which);
    notice.hidden = false;
  }
  function send() {
    if (sending) return;
    sending = true;
    keep("sent");
    form.submit();
  }

  var draft = read();
  if (form.getAttribute("data-saved") === "yes") {
    sessionStorage.removeItem(key);
  } else if (draft) {
    restore(draft.fields);
    show("restored");
    if (draft.state === "waiting" && navigator.onLine) send();
  }
  form.addEventListener("input", function () { keep("typing"); });
  form.addEventListener("change", function () { keep("typing"); });
  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      keep("waiting");
      show("offline");
      return;
    }
    sending = true;
    keep("sent");
  });
  window.addEventListener("online", function () {
    var kept = read();
    if (kept && kept.state === "waiting") send();
  });
})();
