// The workspace's keyboard, the click-to-unblur and the OCR boxes. Loaded as a file (the CSP allows no inline script).
(function () {
  "use strict";
  const ws = document.getElementById("workspace");

  // Claim with Enter on the dashboard.
  const claimForm = document.getElementById("claim-form");
  if (claimForm && !ws) {
    document.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !isTyping(e.target)) { e.preventDefault(); claimForm.submit(); }
    });
  }
  if (!ws) return;

  // OCR boxes: positions come as percentages in data-box (x, y, width, height).
  document.querySelectorAll(".ocr-box").forEach((el) => {
    const [x, y, w, h] = el.dataset.box.split(",").map(Number);
    Object.assign(el.style, { left: x + "%", top: y + "%", width: w + "%", height: h + "%" });
  });

  // Images stay blurred until the moderator chooses to look.
  const media = document.getElementById("media");
  function unblur() { if (media) { media.classList.remove("blurred"); media.classList.add("shown"); } }
  if (media) media.addEventListener("click", unblur);

  const form = document.getElementById("decision-form");
  const decision = document.getElementById("decision");
  function submitDecision(value) {
    if (!form) return;
    decision.value = value;
    if (value === "block" && !form.querySelector('input[name="categories"]:checked')) {
      flash("Pick at least one category for a block (keys 1–9), then press B again.");
      return;
    }
    const note = document.getElementById("note");
    if (note && note.required && !note.value.trim()) {
      flash("An appeal needs an answer the organisation can read: write it in the note (N).");
      note.focus();
      return;
    }
    form.submit();
  }
  if (form) {
    form.querySelectorAll("button[data-decision]").forEach((b) =>
      b.addEventListener("click", (e) => { e.preventDefault(); submitDecision(b.dataset.decision); }));
  }

  function flash(text) {
    let el = document.getElementById("js-flash");
    if (!el) {
      el = document.createElement("p");
      el.id = "js-flash";
      el.className = "card error";
      el.setAttribute("role", "alert");
      ws.parentNode.insertBefore(el, ws);
    }
    el.textContent = text;
  }

  function toggle(id) { const el = document.getElementById(id); if (el) el.checked = !el.checked; }

  function isTyping(t) {
    return t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "checkbox") || t.isContentEditable);
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const k = e.key.toLowerCase();
    if (k === "u") { unblur(); return; }
    if (ws.dataset.mine !== "yes") return;
    if (k === "p") { e.preventDefault(); submitDecision("pass"); }
    else if (k === "b") { e.preventDefault(); submitDecision("block"); }
    else if (k === "f") { toggle("fabricated"); }
    else if (k === "k") { toggle("bank"); }
    else if (k === "n") { e.preventDefault(); const n = document.getElementById("note"); if (n) n.focus(); }
    else if (k === "r") { const r = document.getElementById("release-form"); if (r) r.submit(); }
    else if (/^[1-9]$/.test(k)) {
      const boxes = form.querySelectorAll('input[name="categories"]');
      const box = boxes[Number(k) - 1];
      if (box) box.checked = !box.checked;
    }
  });
})();
