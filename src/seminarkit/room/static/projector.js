// The projector page: one histogram per question, updated live from the room's event stream.
// The stream is read with fetch() so that the token travels in a header, not in the URL;
// the page reconnects by itself when the stream drops (the room restarting, a network blip).
"use strict";

(() => {
  const {token, api, el, status} = Room;
  const sessionId = Number(window.location.pathname.split("/").pop());
  const cards = new Map();

  function card(q) {
    const reveal = el("button", {type: "button", class: "reveal"});
    reveal.addEventListener("click", async () => {
      try {
        await api(`/api/sessions/${sessionId}/reveal`, {method: "POST",
          body: {question: q.id, shown: reveal.dataset.shown !== "true"}});
      } catch (error) {
        status(error.message, true);
      }
    });
    const node = el("section", {class: "question", "data-question": q.id}, [
      el("h2", {}, [el("span", {class: "number", text: `${q.number}. `}), el("span", {text: q.prompt})]),
      el("p", {class: "answered"}),
      el("ol", {class: "bars"}),
      el("div", {class: "key", hidden: ""}),
      reveal,
    ]);
    document.getElementById("questions").append(node);
    return node;
  }

  function render(state) {
    const s = state.session;
    document.getElementById("join-code").textContent = s.join_code;
    document.getElementById("joined").textContent = String(state.joined);
    document.getElementById("how-room").textContent = `room = "${state.room_url || window.location.origin}"`;
    document.getElementById("how-code").textContent = `join_code = "${s.join_code}"`;
    document.title = `Live room: ${s.module_title} (${s.join_code})`;
    document.getElementById("module-title").textContent = s.module_title;
    for (const q of state.questions) {
      const node = cards.get(q.id) || card(q);
      cards.set(q.id, node);
      const top = Math.max(1, ...q.bars.map((b) => b.count));
      node.querySelector(".answered").textContent =
        `${q.answered} answer${q.answered === 1 ? "" : "s"}` + (q.counts_picks ? " (several options each)" : "");
      node.querySelector(".bars").replaceChildren(...q.bars.map((b, i) => {
        const fill = el("span", {class: "fill"});
        fill.style.width = `${(100 * b.count) / top}%`;
        return el("li", {class: "bar" + (b.key ? " bar-key" : ""), "data-bar": String(i), "data-count": String(b.count)}, [
          el("span", {class: "bar-label", text: b.label + (b.key ? " ✓" : "")}),
          el("span", {class: "track"}, [fill]),
          el("span", {class: "bar-count", text: String(b.count)}),
        ]);
      }));
      const key = node.querySelector(".key");
      key.hidden = !q.revealed;
      key.replaceChildren(...(q.revealed ? [el("p", {}, [el("b", {text: "Answer: "}), q.key]),
                                            el("p", {class: "explanation", text: q.explanation || ""})] : []));
      const button = node.querySelector(".reveal");
      button.dataset.shown = String(q.revealed);
      button.textContent = q.revealed ? "Hide answer" : "Reveal answer";
    }
    status(s.state === "open" ? `Session ${s.id} · ${s.module_title} · open` :
                                `Session ${s.id} · ${s.module_title} · closed`);
  }

  async function follow() {
    const response = await fetch(`/api/sessions/${sessionId}/events`, {
      headers: {"Authorization": "Bearer " + token, "Accept": "text/event-stream"}, cache: "no-store"});
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new Error(data.error || ("HTTP " + response.status));
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split("\n");
        const kind = (lines.find((l) => l.startsWith("event:")) || "event: message").slice(6).trim();
        const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
        if (kind === "state" && data) render(JSON.parse(data));
      }
    }
  }

  async function run() {
    if (!token) {
      status("This page needs the instructor token: open it from the control page.", true);
      return;
    }
    let delay = 500;
    for (;;) {
      try {
        await follow();
        delay = 500;
        status("The live stream ended; reconnecting…", true);
      } catch (error) {
        status(`${error.message}; retrying…`, true);
        if (/token/.test(error.message)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 8000);
    }
  }

  run();
})();
