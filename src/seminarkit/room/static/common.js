// Shared by the control and projector pages: the instructor token and authenticated requests.
// The token arrives after '#' in the address (never sent to the server in a URL), is kept in
// this tab's sessionStorage, and is removed from the address bar so the projector never shows it.
"use strict";

const Room = (() => {
  const KEY = "seminarkit-room-token";
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (hash.get("token")) {
    sessionStorage.setItem(KEY, hash.get("token"));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  const token = sessionStorage.getItem(KEY);

  async function api(path, options = {}) {
    const headers = Object.assign({"Authorization": "Bearer " + token}, options.headers || {});
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, Object.assign({}, options, {
      headers, body: options.body === undefined ? undefined : JSON.stringify(options.body)}));
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    return data;
  }

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function status(text, bad = false) {
    const node = document.getElementById("status");
    node.textContent = text;
    node.classList.toggle("bad", bad);
  }

  return {token, api, el, status};
})();
