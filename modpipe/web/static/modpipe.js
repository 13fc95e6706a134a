// Shared by every page: fetch() that sends the CSRF token and reads problem+json errors.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";

  async function api(method, url, body) {
    const opts = { method, credentials: "same-origin",
                   headers: { "Accept": "application/json", "X-CSRF-Token": token } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(url, opts);
    let data = null;
    if (resp.status !== 204) {
      const text = await resp.text();
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
    }
    if (!resp.ok) {
      const err = new Error((data && (data.detail || data.title)) || ("HTTP " + resp.status));
      err.status = resp.status;
      err.problem = data;
      throw err;
    }
    return { status: resp.status, data };
  }

  window.modpipe = { api, csrfToken: token };
})();
